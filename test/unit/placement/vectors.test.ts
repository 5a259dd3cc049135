import { murmur3x86_32, ownersOf, rankNodes, Ring, scoreOf } from '../../../shared/placement/mod';
import vectors from './vectors.json';

/**
 * vectors.json comes from the Python reference in docs/placement.md, not from this code:
 * passing here means two independent implementations of the documented formula agree.
 */

const uniformNodes = vectors.nodes.map((n) => n.id);
const weightedNodes = vectors.nodes.map((n) => ({ id: n.id, weight: n.weight }));
const r = vectors.replicationFactor;

describe('placement test vectors', () => {
  it.each(vectors.murmur3)('murmur3_x86_32 of "$keyHex" (seed $seed) is $hash', ({ keyHex, seed, hash }) => {
    expect(murmur3x86_32(Buffer.from(keyHex, 'hex'), seed)).toBe(hash);
  });

  it.each(vectors.uniform)('ranks shard $shard with equal weights', ({ shard, owners, ranking }) => {
    const ranked = rankNodes(shard, uniformNodes);
    expect(ranked.map((n) => ({ id: n.id, score: n.score }))).toEqual(ranking);
    expect(ownersOf(shard, uniformNodes, r)).toEqual(owners);
    for (const row of ranking) expect(scoreOf(row.id, shard)).toBe(row.score);
  });

  // Keys go through ln(): V8 and the C library Python uses may round it 1 ulp apart
  // (10 of these 80 keys; ~7% of ln calls measured here), so keys match to 1e-14 relative;
  // ranks and scores must match exactly.
  it.each(vectors.weighted)('ranks shard $shard with weights', ({ shard, owners, ranking }) => {
    const ranked = rankNodes(shard, weightedNodes);
    expect(ranked.map((n) => ({ id: n.id, weight: n.weight, score: n.score }))).toEqual(
      ranking.map((row) => ({ id: row.id, weight: row.weight, score: row.score })),
    );
    ranked.forEach((n, i) =>
      expect(Math.abs(n.key - ranking[i].key)).toBeLessThanOrEqual(ranking[i].key * 1e-14),
    );
    expect(ownersOf(shard, weightedNodes, r)).toEqual(owners);
  });

  it.each(vectors.ties.cases)(
    'breaks equal scores on the smaller id (shard $shard)',
    ({ shard, ranking }) => {
      const nodes = [...uniformNodes, ...vectors.ties.nodes.map((n) => n.id)];
      expect(rankNodes(shard, nodes).map((n) => ({ id: n.id, score: n.score }))).toEqual(ranking);
    },
  );

  it('gives a Ring the owners of the vectors', () => {
    const rings = new Map<number, [Ring, Ring]>();
    for (const len of [2, 3, 4]) {
      rings.set(len, [
        new Ring(uniformNodes, { shardLength: len }),
        new Ring(weightedNodes, { shardLength: len }),
      ]);
    }
    for (const [i, { shard, owners }] of vectors.uniform.entries()) {
      const [uniform, weighted] = rings.get(shard.length) as [Ring, Ring];
      expect(uniform.owners(shard)).toEqual(owners);
      expect(weighted.owners(shard)).toEqual(vectors.weighted[i].owners);
    }
  });

  it.each(vectors.fingerprints)(
    'fingerprints the $weights ring at shard length $shardLength, R $replicationFactor',
    ({ weights, shardLength, replicationFactor, fingerprint }) => {
      const nodes = weights === 'uniform' ? uniformNodes : weightedNodes;
      expect(new Ring(nodes, { shardLength, replicationFactor }).fingerprint()).toBe(fingerprint);
    },
  );
});
