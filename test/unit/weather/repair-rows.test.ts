import { repairRows } from '../../../web/src/weather/repair';
import type { RepairStatus } from '../../../shared/weather/types';

const NOW = Date.parse('2025-06-01T12:00:00.000Z');
const status = (over: Partial<RepairStatus> = {}): RepairStatus => ({
  running: false,
  lastPassAt: '2025-06-01T11:58:00.000Z',
  lastPassSeconds: 0.42,
  lastPassRequests: 7,
  underReplicated: 3,
  lost: 0,
  pulling: 2,
  pulled: 1234,
  deleted: 5,
  quarantined: 1,
  trimBlocked: null,
  lastScrubAt: '2025-06-01T11:59:50.000Z',
  lastScrubSeconds: 75,
  ...over,
});

describe('repairRows: a node card’s repair part, from the heartbeat record’s repair field', () => {
  test('every figure, the pass and scrub times by the answering node’s clock', () => {
    expect(repairRows(status(), NOW)).toEqual([
      { term: 'under-replicated', value: '3' },
      { term: 'pulls in flight', value: '2' },
      { term: 'repaired', value: '1,234 pulled · 5 deleted · 1 quarantined' },
      { term: 'lost', value: '0' },
      { term: 'last pass', value: '2 min ago · took 420 ms', title: '2025-06-01T11:58:00.000Z' },
      { term: 'last scrub', value: '10 s ago · took 1 min', title: '2025-06-01T11:59:50.000Z' },
    ]);
  });

  test('lost files are red, a running pass is said, and why trimming is blocked is shown', () => {
    const rows = repairRows(status({ lost: 4, running: true, trimBlocked: 'ring changed 30 s ago' }), NOW);
    expect(rows.find((r) => r.term === 'lost')).toEqual({ term: 'lost', value: '4', tone: 'bad' });
    expect(rows.find((r) => r.term === 'pulls in flight')).toEqual({
      term: 'pulls in flight',
      value: '2 · pass running',
    });
    expect(rows[rows.length - 1]).toEqual({
      term: 'trim blocked',
      value: 'ring changed 30 s ago',
      tone: 'warn',
    });
  });

  test('a node that has not passed or scrubbed yet says so', () => {
    const rows = repairRows(
      status({ lastPassAt: null, lastPassSeconds: null, lastScrubAt: null, lastScrubSeconds: null }),
      NOW,
    );
    expect(rows.filter((r) => r.term.startsWith('last '))).toEqual([
      { term: 'last pass', value: 'not yet' },
      { term: 'last scrub', value: 'not yet' },
    ]);
  });

  test('a node without the field (an older version): repair unknown', () => {
    expect(repairRows(undefined, NOW)).toEqual([
      { term: 'repair', value: 'unknown', title: 'This node’s version does not report repair' },
    ]);
  });
});
