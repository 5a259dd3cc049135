import { placementRows } from '../../../web/src/weather/placement';
import type { DrainStatus } from '../../../shared/drain/types';

const drain = (over: Partial<DrainStatus> = {}): DrainStatus => ({
  draining: true,
  since: '2025-06-01T11:00:00.000Z',
  files: 1200,
  confirmed: 900,
  safeToRemove: false,
  checkedAt: '2025-06-01T11:59:00.000Z',
  blocked: '300 files not yet on 3 other owners',
  ...over,
});

describe('placement rows of a node card', () => {
  it('shows the weight of a node that is not draining, and nothing of a drain', () => {
    expect(placementRows({ weight: 2.5 })).toEqual([{ term: 'placement weight', value: '2.5' }]);
  });

  it('shows weight 1 for a record with a malformed weight (records come from peers)', () => {
    expect(placementRows({ weight: NaN })[0].value).toBe('1');
  });

  it('shows a drain in progress with its reason, as a warning', () => {
    expect(placementRows({ weight: 1, draining: true, drain: drain() })[1]).toEqual({
      term: 'draining',
      value: '900 of 1,200 files on R other owners',
      title: '300 files not yet on 3 other owners',
      tone: 'warn',
    });
  });

  it('says safe to remove once every file is confirmed', () => {
    const row = placementRows({
      weight: 1,
      draining: true,
      drain: drain({ confirmed: 1200, safeToRemove: true, blocked: null }),
    })[1];
    expect(row).toEqual({ term: 'draining', value: 'safe to remove · 1,200 files on R other owners' });
  });

  it('says a drain is not checked yet before the first check reaches the record', () => {
    expect(placementRows({ weight: 1, draining: true })[1]).toMatchObject({
      value: 'not checked yet',
      tone: 'warn',
    });
  });
});
