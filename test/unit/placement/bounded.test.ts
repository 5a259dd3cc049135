import { hash } from 'node:crypto';
import {
  allShards,
  Ring,
  scoreOf,
  weightedKey,
  type AssignmentMode,
  type NodeSpec,
} from '../../../shared/placement/mod';
import { prng, randomAddress, randomNodes, shuffle } from './helpers';

/**
 * The bounded mode against its definition (docs/placement.md §Bounded loads), computed here
 * the slow, obvious way: every (node, shard) pair from the best down, kept when its shard has
 * a free seat and its node has room; seats left empty go to the shard's best nodes regardless.
 * The Ring computes it by deferred acceptance; equal tables mean the two agree. And the
 * property every node relies on: the same members and weights give the same fingerprint,
 * whatever order the members were learnt in and whatever joins and leaves led there.
 */

const MODES: AssignmentMode[] = ['rendezvous', 'bounded'];
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
const WEIGHT_SETS: readonly (readonly number[])[] = [[1], [1, 2], [0.5, 1, 3], [1, 1, 1, 8]];

function tableOf(ring: Ring): string[][] {
  return allShards(ring.shardLength).map((s) => ring.owners(s));
}

interface Pair {
  id: string;
  weight: number;
  shard: number;
  key: number;
}

/** Better pair first: higher key, then the smaller node id, then the smaller shard index. */
function comparePairs(a: Pair, b: Pair): number {
  if (a.key !== b.key) return a.key > b.key ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return a.shard - b.shard;
}

function referenceCapacity(node: NodeSpec, total: number, shards: number, r: number, eps: number): number {
  const offset = hash('sha256', node.id, 'buffer').readUInt32LE(0) / 2 ** 32;
  return Math.min(shards, Math.floor(((1 + eps) * (r * shards) * (node.weight ?? 1)) / total + offset));
}

function referenceBounded(nodes: NodeSpec[], len: number, r: number, eps: number): string[][] {
  const shards = allShards(len);
  const sortedIds = nodes.map((n) => n.id).sort();
  const weightOf = new Map(nodes.map((n) => [n.id, n.weight ?? 1]));
  let total = 0;
  for (const id of sortedIds) total += weightOf.get(id)!;
  const pairs: Pair[] = [];
  shards.forEach((shard, s) => {
    for (const n of nodes) {
      const weight = n.weight ?? 1;
      pairs.push({ id: n.id, weight, shard: s, key: weightedKey(scoreOf(n.id, shard), weight) });
    }
  });
  pairs.sort(comparePairs);
  const rows: Pair[][] = shards.map(() => []);
  if (nodes.length <= r) {
    for (const p of pairs) rows[p.shard].push(p);
  } else {
    const room = new Map(nodes.map((n) => [n.id, referenceCapacity(n, total, shards.length, r, eps)]));
    for (const p of pairs) {
      if (rows[p.shard].length < r && room.get(p.id)! > 0) {
        rows[p.shard].push(p);
        room.set(p.id, room.get(p.id)! - 1);
      }
    }
    for (const p of pairs) {
      const row = rows[p.shard];
      if (row.length < r && !row.some((q) => q.id === p.id)) row.push(p);
    }
  }
  return rows.map((row) => row.sort(comparePairs).map((p) => p.id));
}

function scenario(seed: number) {
  const rand = prng(1000 + seed);
  const weights = WEIGHT_SETS[seed % WEIGHT_SETS.length];
  const nodes = randomNodes(rand, 2 + Math.floor(rand() * 14), weights);
  const r = 1 + (seed % 3);
  const eps = [0, 0.04, 0.1, 0.5][seed % 4];
  return { rand, nodes, weights, r, eps };
}

describe('bounded assignment', () => {
  it.each(SEEDS)('is the greedy-by-pairs table (seed %i)', (seed) => {
    const { nodes, r, eps } = scenario(seed);
    const len = seed % 2 === 0 ? 1 : 2;
    const ring = new Ring(nodes, {
      shardLength: len,
      replicationFactor: r,
      assignment: 'bounded',
      loadBound: eps,
    });
    expect(tableOf(ring)).toEqual(referenceBounded(nodes, len, r, eps));
  });

  it.each(SEEDS)(
    'keeps every node within its capacity, every shard with min(R, n) owners (seed %i)',
    (seed) => {
      const { nodes, r } = scenario(seed);
      const ring = new Ring(nodes, {
        shardLength: 2,
        replicationFactor: r,
        assignment: 'bounded',
        loadBound: 0.05,
      });
      const total = nodes.reduce((s, n) => s + (n.weight ?? 1), 0);
      for (const owners of tableOf(ring)) expect(new Set(owners).size).toBe(Math.min(r, nodes.length));
      if (nodes.length <= r) return;
      const capacities = nodes.map((n) => referenceCapacity(n, total, 1296, r, 0.05));
      // The fallback ignores capacity only when capacities cannot seat everyone.
      if (capacities.reduce((a, b) => a + b, 0) < 1296 * r * 1.02) return;
      nodes.forEach((n, i) => expect(ring.shardsOf(n.id).length).toBeLessThanOrEqual(capacities[i]));
    },
  );

  it('balances 70 nodes within (1 + ε) of the mean at shard length 3', () => {
    const nodes = randomNodes(prng(70), 70);
    const plain = new Ring(nodes);
    const bounded = new Ring(nodes, { assignment: 'bounded', loadBound: 0.04 });
    const mean = (46656 * 3) / 70;
    const maxOf = (ring: Ring) => Math.max(...nodes.map((n) => ring.shardsOf(n.id).length)) / mean;
    expect(maxOf(bounded)).toBeLessThanOrEqual(1.04 + 1 / mean);
    expect(maxOf(plain)).toBeGreaterThan(maxOf(bounded));
  });
});

describe.each(MODES)('every node computes the same table (%s)', (assignment) => {
  it.each(SEEDS)('from shuffled member lists, joins and leaves (seed %i)', (seed) => {
    const { rand, nodes, weights, r } = scenario(seed);
    const options = { shardLength: 2, replicationFactor: r, assignment, loadBound: 0.04 };
    const reference = new Ring(nodes, options);
    // Another node learnt the members in another order...
    expect(new Ring(shuffle(nodes, rand), options).fingerprint()).toBe(reference.fingerprint());
    // ...or saw a stranger come and go and a member leave and come back.
    const other = new Ring(shuffle(nodes, rand).slice(1), options);
    const stranger: NodeSpec = { id: randomAddress(rand), weight: weights[0] };
    other.join(stranger);
    const missing = nodes.find((n) => !other.has(n.id))!;
    other.join(missing);
    other.leave(stranger.id);
    expect(tableOf(other)).toEqual(tableOf(reference));
    expect(other.fingerprint()).toBe(reference.fingerprint());
    // The serialised form verifies (placement re-run on the receiving side) and agrees.
    const decoded = Ring.fromCompact(JSON.parse(JSON.stringify(reference.toCompact())), { verify: true });
    expect(decoded.fingerprint()).toBe(reference.fingerprint());
    expect(decoded.assignment).toBe(assignment);
  });

  it('reports the shards a join or leave changed, exactly', () => {
    const rand = prng(77);
    const nodes = randomNodes(rand, 12, [1, 2]);
    const ring = new Ring(nodes, { shardLength: 2, assignment });
    const before = tableOf(ring);
    const changed = new Set(ring.join({ id: randomAddress(rand), weight: 1 }));
    const after = tableOf(ring);
    allShards(2).forEach((shard, s) => expect(changed.has(shard)).toBe(before[s].join() !== after[s].join()));
  });
});

describe('mode in the fingerprint', () => {
  it('differs between the modes and between values of ε', () => {
    const nodes = randomNodes(prng(5), 20);
    const prints = [
      new Ring(nodes, { shardLength: 2 }).fingerprint(),
      new Ring(nodes, { shardLength: 2, assignment: 'bounded', loadBound: 0.04 }).fingerprint(),
      new Ring(nodes, { shardLength: 2, assignment: 'bounded', loadBound: 0.1 }).fingerprint(),
    ];
    expect(new Set(prints).size).toBe(3);
  });

  it('refuses a compact ring whose assignment fields are malformed', () => {
    const compact = new Ring(randomNodes(prng(6), 5), { shardLength: 1, assignment: 'bounded' }).toCompact();
    expect(() => Ring.fromCompact({ ...compact, loadBound: -1 })).toThrow(/assignment/);
    expect(() => Ring.fromCompact({ ...compact, assignment: 'other' })).toThrow(/assignment/);
  });
});
