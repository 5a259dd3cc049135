import { allShards, rankNodes, Ring, type NodeSpec } from '../../../shared/placement/mod';
import { prng, randomNodes } from './helpers';

/**
 * Weighted HRW: a node's key is w / E with E = −ln u exponential, so E/w is exponential
 * with rate w and the owners of a shard are a weighted draw without replacement. For R = 1
 * a node wins a shard with probability w / Σw exactly; for R > 1 the chance to be among
 * the owners follows successive sampling (`inclusion` below). Across 46,656 shards the
 * counts are sums of independent per-shard outcomes, so each tolerance is 4 standard
 * deviations (a 6·10⁻⁵ chance of failing if the hash were truly random; the node ids are
 * fixed, so a pass or a failure is reproducible).
 */

const SHARDS = 36 ** 3;

function nodesWithWeights(seed: number, counts: Record<number, number>): NodeSpec[] {
  const rand = prng(seed);
  return Object.entries(counts).flatMap(([weight, count]) => randomNodes(rand, count, [Number(weight)]));
}

function shardsPerNode(ring: Ring): Map<string, number> {
  return new Map(ring.nodes.map((n) => [n.id, ring.shardsOf(n.id).length]));
}

/**
 * P(a node of weight `w` is among the first `r` of a weighted draw without replacement from
 * itself and `others`, given as [weight, count] classes).
 */
function inclusion(w: number, others: readonly [number, number][], r: number): number {
  if (r === 0) return 0;
  const total = w + others.reduce((sum, [weight, count]) => sum + weight * count, 0);
  let p = w / total;
  others.forEach(([weight, count], i) => {
    if (count === 0) return;
    const rest = others.map(([wt, c], j): [number, number] => [wt, j === i ? c - 1 : c]);
    p += ((weight * count) / total) * inclusion(w, rest, r - 1);
  });
  return p;
}

describe('capacity weights', () => {
  it('gives a weight-2 node twice the shards of a weight-1 node (R = 1)', () => {
    const nodes = nodesWithWeights(21, { 1: 10, 2: 10 });
    const counts = shardsPerNode(new Ring(nodes, { replicationFactor: 1 }));
    const heavy = nodes.filter((n) => n.weight === 2).reduce((sum, n) => sum + (counts.get(n.id) ?? 0), 0);
    // heavy ~ Binomial(46,656, 2/3): mean 31,104, σ = 101.8 → ratio within about 2 ± 0.08.
    expect(Math.abs(heavy - (SHARDS * 2) / 3)).toBeLessThan(4 * Math.sqrt((SHARDS * 2) / 9));
    const ratio = heavy / 10 / ((SHARDS - heavy) / 10);
    expect(ratio).toBeGreaterThan(1.92);
    expect(ratio).toBeLessThan(2.08);
    for (const node of nodes) {
      const p = (node.weight as number) / 30;
      const count = counts.get(node.id) ?? 0;
      expect(Math.abs(count - SHARDS * p)).toBeLessThan(4 * Math.sqrt(SHARDS * p * (1 - p)));
    }
  });

  it('follows weighted sampling without replacement for R = 3', () => {
    const nodes = nodesWithWeights(22, { 1: 90, 2: 10 });
    const counts = shardsPerNode(new Ring(nodes));
    const heavy = nodes.filter((n) => n.weight === 2).reduce((sum, n) => sum + (counts.get(n.id) ?? 0), 0);
    // One heavy node against the other 99: 90 of weight 1 and 9 of weight 2.
    const p2 = inclusion(
      2,
      [
        [1, 90],
        [2, 9],
      ],
      3,
    );
    const expected = SHARDS * 10 * p2;
    // Per shard the heavy owners number X ∈ [0, 3] with mean μ, so Var X ≤ μ(3 − μ).
    const mu = 10 * p2;
    expect(Math.abs(heavy - expected)).toBeLessThan(4 * Math.sqrt(SHARDS * mu * (3 - mu)));
  });

  it('ranks by plain score when all weights are equal, whatever the weight', () => {
    const nodes = randomNodes(prng(23), 25);
    const heavy = nodes.map((n) => ({ id: n.id, weight: 2.5 }));
    const a = new Ring(nodes, { shardLength: 2 });
    const b = new Ring(heavy, { shardLength: 2 });
    for (const shard of allShards(2)) {
      expect(b.owners(shard)).toEqual(a.owners(shard));
      expect(rankNodes(shard, heavy).map((n) => n.id)).toEqual(rankNodes(shard, nodes).map((n) => n.id));
    }
    const byScore = rankNodes('mkx', nodes).map((n) => n.score);
    expect(byScore).toEqual([...byScore].sort((x, y) => y - x));
  });
});
