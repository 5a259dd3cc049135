import {
  confirmedOnAllOwners,
  deletionBlockedBecause,
  missingFiles,
  underReplicatedCount,
} from '../../../shared/repair/plan';

const f = (name: string, sha = 'a'.repeat(64), size = 10) => ({ name, size, sha256: sha });
const A = '0xa';
const B = '0xb';
const C = '0xc';
const D = '0xd';

describe('repair plan: what to pull', () => {
  test('files peers list that this node lacks, holders ranked owners first', () => {
    const mine = new Map([['x', f('x')]]);
    const listings = new Map([
      [D, [f('x'), f('y')]],
      [B, [f('y'), f('z')]],
    ]);
    const wants = missingFiles('abc', mine, listings, [A, B, C]);
    expect(wants).toEqual([
      { shard: 'abc', entry: f('y'), holders: [B, D] },
      { shard: 'abc', entry: f('z'), holders: [B] },
    ]);
  });

  test('when peers disagree about a name, the version most of them hold wins', () => {
    const listings = new Map([
      [B, [f('y', 'b'.repeat(64))]],
      [C, [f('y', 'c'.repeat(64))]],
      [D, [f('y', 'c'.repeat(64))]],
    ]);
    const [want] = missingFiles('abc', new Map(), listings, [A, B, C]);
    expect(want.entry.sha256).toBe('c'.repeat(64));
    expect(want.holders).toEqual([C, D]);
  });

  test('nothing to pull when this node holds everything listed', () => {
    expect(missingFiles('abc', new Map([['x', f('x')]]), new Map([[B, [f('x')]]]), [A, B])).toEqual([]);
  });
});

describe('repair plan: under-replication', () => {
  test('a file counts when fewer than `want` owners hold it; a silent owner holds nothing', () => {
    const holdings = new Map<string, ReadonlySet<string> | null>([
      [A, new Set(['x', 'y'])],
      [B, new Set(['x'])],
      [C, null],
    ]);
    expect(underReplicatedCount(['x', 'y'], holdings, 2)).toBe(1);
    expect(underReplicatedCount(['x', 'y'], holdings, 3)).toBe(2);
  });
});

describe('repair plan: deletion safety (DESIGN §10)', () => {
  const safe = {
    healthyMembers: 5,
    replicationFactor: 3,
    natsConnected: true,
    ringAgeMs: 10_000,
    graceMs: 5_000,
  };

  test('a settled, connected ring with at least R members may delete', () => {
    expect(deletionBlockedBecause(safe)).toBeNull();
  });

  test.each([
    ['NATS lost', { natsConnected: false }, /NATS/],
    ['fewer than R healthy', { healthyMembers: 2 }, /fewer than R = 3/],
    ['ring younger than the grace period', { ringAgeMs: 4_999 }, /grace period/],
  ])('%s blocks every delete', (_what, change, reason) => {
    expect(deletionBlockedBecause({ ...safe, ...change })).toMatch(reason);
  });

  test('a copy goes only when every one of the R owners listed the same size and sha256', () => {
    const mine = f('x');
    const owners = [B, C, D];
    const all = new Map(owners.map((o) => [o, new Map([['x', f('x')]])]));
    expect(confirmedOnAllOwners(mine, owners, all, 3)).toBe(true);
    expect(confirmedOnAllOwners(mine, owners.slice(0, 2), all, 3)).toBe(false);
    expect(confirmedOnAllOwners(mine, owners, new Map([...all, [D, null]]), 3)).toBe(false);
    expect(
      confirmedOnAllOwners(mine, owners, new Map([...all, [D, new Map([['x', f('x', 'e'.repeat(64))]])]]), 3),
    ).toBe(false);
    expect(
      confirmedOnAllOwners(mine, owners, new Map([...all, [D, new Map([['x', f('x', undefined, 11)]])]]), 3),
    ).toBe(false);
    expect(confirmedOnAllOwners(mine, owners, new Map([...all, [D, new Map()]]), 3)).toBe(false);
  });
});
