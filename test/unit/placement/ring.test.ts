import { allShards, ownersOf, Ring, type NodeSpec } from '../../../shared/placement/mod';
import { codeOf, prng, randomAddress, randomNodes, shuffle } from './helpers';
import vectors from './vectors.json';

/**
 * Properties of the Ring against the definition (`ownersOf`) and against itself built
 * from scratch. Shard length 2 (1,296 shards) keeps each check fast; seeds make failures
 * replayable.
 */

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
const WEIGHT_SETS: readonly (readonly number[])[] = [[1], [1, 2], [0.5, 1, 3]];

function tableOf(ring: Ring): string[][] {
  return allShards(ring.shardLength).map((s) => ring.owners(s));
}

function scenario(seed: number) {
  const rand = prng(seed);
  const count = 1 + Math.floor(rand() * 40);
  const weights = WEIGHT_SETS[seed % WEIGHT_SETS.length];
  const r = 1 + (seed % 4);
  return { rand, nodes: randomNodes(rand, count, weights), weights, r };
}

describe('Ring table', () => {
  it.each(SEEDS)('matches ownersOf for every shard (seed %i)', (seed) => {
    const { nodes, r } = scenario(seed);
    const ring = new Ring(nodes, { shardLength: 2, replicationFactor: r });
    for (const shard of allShards(2)) expect(ring.owners(shard)).toEqual(ownersOf(shard, nodes, r));
  });

  it.each(SEEDS)('does not depend on the order of the nodes (seed %i)', (seed) => {
    const { rand, nodes, r } = scenario(seed);
    const a = new Ring(nodes, { shardLength: 2, replicationFactor: r });
    const b = new Ring(shuffle(nodes, rand), { shardLength: 2, replicationFactor: r });
    expect(tableOf(b)).toEqual(tableOf(a));
    expect(b.fingerprint()).toBe(a.fingerprint());
    expect(b.nodes).toEqual(a.nodes);
  });

  it('does not depend on the order of the nodes at shard length 3', () => {
    const rand = prng(42);
    const nodes = randomNodes(rand, 50, [1, 2]);
    const a = new Ring(nodes);
    const b = new Ring(shuffle(nodes, rand));
    expect(b.fingerprint()).toBe(a.fingerprint());
    expect(b.owners('mkx')).toEqual(a.owners('mkx'));
  });

  // Two ids whose SHA-256 prefixes collide (vectors.json "ties") score equally on every
  // shard, so each table build, join and leave must take the tie-break path.
  it.each([[[1]], [[1, 2]]])(
    'ranks the smaller of two tied ids first, in builds, joins and leaves (other weights %j)',
    (weights) => {
      const [larger, smaller] = vectors.ties.nodes.map((n) => n.id);
      const others = randomNodes(prng(12), 6, weights);
      const check = (ring: Ring) => {
        for (const shard of allShards(2)) {
          const owners = ring.owners(shard);
          expect(owners).toEqual(ownersOf(shard, ring.nodes, 3));
          if (owners.includes(larger)) expect(owners.indexOf(smaller)).toBe(owners.indexOf(larger) - 1);
        }
      };
      const ring = new Ring([larger, ...others, smaller], { shardLength: 2 });
      check(ring);
      const joined = new Ring([larger, ...others], { shardLength: 2 });
      joined.join(smaller);
      check(joined);
      expect(joined.fingerprint()).toBe(ring.fingerprint());
      joined.leave(others[0].id);
      check(joined);
    },
  );

  it('gives every shard min(R, n) distinct owners and lists them per node', () => {
    const nodes = randomNodes(prng(9), 7);
    const ring = new Ring(nodes, { shardLength: 2, replicationFactor: 3 });
    const table = tableOf(ring);
    for (const owners of table) expect(new Set(owners).size).toBe(3);
    const held = nodes.map((n) => ring.shardsOf(n.id).length);
    expect(held.reduce((a, b) => a + b, 0)).toBe(1296 * 3);
    for (const node of nodes) {
      for (const shard of ring.shardsOf(node.id)) expect(ring.owners(shard)).toContain(node.id);
    }
  });

  it('answers for an id, a file name and a shard alike', () => {
    const ring = new Ring(randomNodes(prng(10), 12));
    const id = 'cle4h8b1g000101q8l4tz2mkx';
    expect(ring.ownersOfKey(id)).toEqual(ring.owners('mkx'));
    expect(ring.ownersOfKey(`${id}_320.mp3`)).toEqual(ring.owners('mkx'));
    expect(ring.ownersOfKey('mkx')).toEqual(ring.owners('mkx'));
    expect(ring.owners('mkx')).toHaveLength(3);
  });

  it('serves fewer than R owners while the network is small', () => {
    const ring = new Ring([], { shardLength: 1 });
    expect(ring.owners('a')).toEqual([]);
    expect(ring.join('0xb')).toHaveLength(36);
    expect(ring.join('0xa')).toHaveLength(36);
    expect(ring.owners('a').sort()).toEqual(['0xa', '0xb']);
    expect(ring.leave('0xa')).toHaveLength(36);
    expect(ring.owners('a')).toEqual(['0xb']);
    expect(ring.leave('0xb')).toHaveLength(36);
    expect(ring.size).toBe(0);
    expect(ring.fingerprint()).toBe(new Ring([], { shardLength: 1 }).fingerprint());
  });

  it('reports membership', () => {
    const ring = new Ring([{ id: '0xb', weight: 2 }, '0xa']);
    expect(ring.nodes).toEqual([
      { id: '0xa', weight: 1 },
      { id: '0xb', weight: 2 },
    ]);
    expect(ring.has('0xa')).toBe(true);
    expect(ring.has('0xc')).toBe(false);
    expect(ring.shardsOf('0xc')).toEqual([]);
    // The node list feeds the fingerprint: callers cannot edit it in place.
    expect(Object.isFrozen(ring.nodes) && Object.isFrozen(ring.nodes[0])).toBe(true);
  });

  it.each([
    ['VALIDATION_FAILED', 'a repeated node', () => new Ring(['0xa', '0xa'])],
    ['VALIDATION_FAILED', 'an empty id', () => new Ring([''])],
    ['VALIDATION_FAILED', 'an id with a space', () => new Ring(['0x a'])],
    ['VALIDATION_FAILED', 'weight 0', () => new Ring([{ id: '0xa', weight: 0 }])],
    ['VALIDATION_FAILED', 'a negative weight', () => new Ring([{ id: '0xa', weight: -1 }])],
    ['VALIDATION_FAILED', 'weight NaN', () => new Ring([{ id: '0xa', weight: NaN }])],
    ['VALIDATION_FAILED', 'weight Infinity', () => new Ring([{ id: '0xa', weight: Infinity }])],
    ['VALIDATION_FAILED', 'joining a member again', () => new Ring(['0xa']).join('0xa')],
    ['NOT_FOUND', 'a non-member leaving', () => new Ring(['0xa']).leave('0xb')],
    ['BAD_CONFIG', 'shard length 5', () => new Ring([], { shardLength: 5 })],
    ['BAD_CONFIG', 'replication factor 0', () => new Ring([], { replicationFactor: 0 })],
    ['BAD_SHARD', 'a shard of the wrong length', () => new Ring(['0xa']).owners('mk')],
    ['BAD_SHARD', 'an upper-case shard', () => new Ring(['0xa']).owners('MKX')],
    ['BAD_SHARD', 'an upper-case shard to rankNodes', () => ownersOf('MKX', ['0xa'], 3)],
    ['BAD_CONFIG', 'R 0 to ownersOf', () => ownersOf('mkx', ['0xa'], 0)],
  ])('throws %s for %s', (code, _label, fn) => {
    expect(codeOf(fn)).toBe(code);
  });
});

describe('Ring.join', () => {
  it.each(SEEDS)('moves only shards the newcomer now owns, one old owner out each (seed %i)', (seed) => {
    const { rand, nodes, weights, r } = scenario(seed);
    const ring = new Ring(nodes, { shardLength: 2, replicationFactor: r });
    const before = tableOf(ring);
    const newcomer: NodeSpec = { id: randomAddress(rand), weight: weights[weights.length - 1] };

    const changed = ring.join(newcomer);

    const after = tableOf(ring);
    expect(changed).toEqual(ring.shardsOf(newcomer.id));
    expect(changed.length).toBeGreaterThan(0);
    const changedSet = new Set(changed);
    allShards(2).forEach((shard, s) => {
      if (!changedSet.has(shard)) return expect(after[s]).toEqual(before[s]);
      expect(after[s]).toContain(newcomer.id);
      const gone = before[s].filter((id) => !after[s].includes(id));
      expect(gone).toEqual(before[s].length === r ? [before[s][r - 1]] : []);
    });
  });

  it.each(SEEDS)('equals a ring built from scratch (seed %i)', (seed) => {
    const { rand, nodes, weights, r } = scenario(seed);
    const ring = new Ring(nodes, { shardLength: 2, replicationFactor: r });
    const newcomer = { id: randomAddress(rand), weight: weights[0] };
    ring.join(newcomer);
    const scratch = new Ring([...nodes, newcomer], { shardLength: 2, replicationFactor: r });
    expect(tableOf(ring)).toEqual(tableOf(scratch));
    expect(ring.fingerprint()).toBe(scratch.fingerprint());
  });

  it('switches from equal to mixed weights like a fresh build', () => {
    const nodes = randomNodes(prng(11), 30);
    const ring = new Ring(nodes, { shardLength: 2 });
    ring.join({ id: '0xheavy', weight: 4 });
    expect(ring.fingerprint()).toBe(
      new Ring([...nodes, { id: '0xheavy', weight: 4 }], { shardLength: 2 }).fingerprint(),
    );
  });
});

describe('Ring.leave', () => {
  it.each(SEEDS)('moves exactly the shards the leaver owned (seed %i)', (seed) => {
    const { rand, nodes, r } = scenario(seed);
    const ring = new Ring(nodes, { shardLength: 2, replicationFactor: r });
    const before = tableOf(ring);
    const leaver = nodes[Math.floor(rand() * nodes.length)].id;
    const owned = ring.shardsOf(leaver);

    const changed = ring.leave(leaver);

    const after = tableOf(ring);
    expect(changed).toEqual(owned);
    const changedSet = new Set(changed);
    allShards(2).forEach((shard, s) => {
      if (!changedSet.has(shard)) return expect(after[s]).toEqual(before[s]);
      expect(after[s]).not.toContain(leaver);
      // The other owners stay, in the same order; at most one node comes in at the end.
      expect(after[s].slice(0, before[s].length - 1)).toEqual(before[s].filter((id) => id !== leaver));
    });
    const rest = nodes.filter((n) => n.id !== leaver);
    expect(ring.fingerprint()).toBe(new Ring(rest, { shardLength: 2, replicationFactor: r }).fingerprint());
  });

  it.each(SEEDS)('keeps equal to a fresh build through joins and leaves (seed %i)', (seed) => {
    const { rand, nodes, weights, r } = scenario(seed);
    const ring = new Ring(nodes, { shardLength: 2, replicationFactor: r });
    let members = [...nodes];
    for (let step = 0; step < 12; step++) {
      if (members.length > 0 && rand() < 0.5) {
        const leaver = members[Math.floor(rand() * members.length)];
        ring.leave(leaver.id);
        members = members.filter((n) => n !== leaver);
      } else {
        const node = { id: randomAddress(rand), weight: weights[Math.floor(rand() * weights.length)] };
        ring.join(node);
        members.push(node);
      }
      expect(ring.fingerprint()).toBe(
        new Ring(members, { shardLength: 2, replicationFactor: r }).fingerprint(),
      );
    }
  });
});
