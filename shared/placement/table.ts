import type { Members } from './members';
import { pairScore, weightedKey } from './score';

/**
 * Owner tables: shardCount × R uint16 slots, each shard's owners in rank order, NO_OWNER
 * filling the tail when there are fewer than R members. These loops are the hot path
 * (46.6 M pairs for 1,000 nodes at shard length 3), hence typed arrays and no allocation
 * per pair.
 */

export const NO_OWNER = 0xffff;

// Module-level aliases for the hot loops: see murmur.ts on Jest's vm context.
const imul = Math.imul;
const exp = Math.exp;
const isFinite = Number.isFinite;

/**
 * Whether `a` outranks `b` — the rule of nodes.ts `compareRanked` on raw columns: equal
 * weights compare scores, unequal weights compare weighted keys, ties go to the smaller id.
 */
export function beats(
  idA: string,
  weightA: number,
  scoreA: number,
  idB: string,
  weightB: number,
  scoreB: number,
): boolean {
  if (weightA === weightB) return scoreA !== scoreB ? scoreA > scoreB : idA < idB;
  const keyA = weightedKey(scoreA, weightA);
  const keyB = weightedKey(scoreB, weightB);
  return keyA !== keyB ? keyA > keyB : idA < idB;
}

/** Whether slot `a` outranks slot `b` for the shard with mixed word `mix`. */
export function outranks(m: Members, a: number, b: number, mix: number): boolean {
  return beats(
    m.ids[a] as string,
    m.weights[a],
    pairScore(m.states[a], mix),
    m.ids[b] as string,
    m.weights[b],
    pairScore(m.states[b], mix),
  );
}

/** A fresh table: every shard ranked over every member. */
export function buildTable(m: Members, mixes: Uint32Array, r: number): Uint16Array {
  const table = new Uint16Array(mixes.length * r);
  const ranker = new ShardRanker(m, r);
  for (let s = 0; s < mixes.length; s++) ranker.rank(mixes[s], table, s * r);
  return table;
}

/**
 * Ranks whole shards over a snapshot of the members (take a new one after a join or a
 * leave). Each rank keeps the current R best in small typed arrays, so most pairs cost one
 * hash and one comparison against the R-th best.
 */
export class ShardRanker {
  private readonly live: Uint16Array;
  private readonly uniform: boolean;
  private readonly maxWeight: number;
  private readonly topScore: Float64Array;
  private readonly topKey: Float64Array;
  private readonly topWeight: Float64Array;
  private readonly topSlot: Uint16Array;

  constructor(
    private readonly m: Members,
    private readonly r: number,
  ) {
    this.live = m.live();
    this.uniform = m.uniformWeights();
    this.maxWeight = this.live.reduce((max, slot) => Math.max(max, m.weights[slot]), 0);
    this.topScore = new Float64Array(r);
    this.topKey = new Float64Array(r);
    this.topWeight = new Float64Array(r);
    this.topSlot = new Uint16Array(r);
  }

  /** Writes the owners of the shard with mixed word `mix` into `table[offset … offset+r)`. */
  rank(mix: number, table: Uint16Array, offset: number): void {
    this.topSlot.fill(NO_OWNER);
    if (this.uniform) this.rankUniform(mix);
    else this.rankWeighted(mix);
    table.set(this.topSlot, offset);
  }

  /**
   * Equal weights: plain scores decide, with the murmur pair step of score.ts `pairScore`
   * inlined (the tests hold this loop to it).
   */
  private rankUniform(mix: number): void {
    const { live, r, topScore, topSlot } = this;
    const { states, ids } = this.m;
    topScore.fill(-1);
    let worst = -1;
    for (let k = 0; k < live.length; k++) {
      const slot = live[k];
      let h = states[slot] ^ mix;
      h = (h << 13) | (h >>> 19);
      h = (imul(h, 5) + 0xe6546b64) ^ 8;
      h ^= h >>> 16;
      h = imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
      const score = h >>> 0;
      if (score < worst || (score === worst && !((ids[slot] as string) < (ids[topSlot[r - 1]] as string))))
        continue;
      let j = r - 1;
      while (
        j > 0 &&
        (score > topScore[j - 1] ||
          (score === topScore[j - 1] && (ids[slot] as string) < (ids[topSlot[j - 1]] as string)))
      ) {
        topScore[j] = topScore[j - 1];
        topSlot[j] = topSlot[j - 1];
        j--;
      }
      topScore[j] = score;
      topSlot[j] = slot;
      worst = topScore[r - 1];
    }
  }

  /**
   * Mixed weights. A log per pair made 1,000 nodes take ~0.8 s here, so the rank keeps a
   * conservative score cut below which no node of any weight can beat the current R-th key
   * (u > exp(−wMax/K) is necessary); only pairs above it get the exact comparison.
   */
  private rankWeighted(mix: number): void {
    const { live, r, maxWeight, topScore, topKey, topWeight, topSlot } = this;
    const { states, weights, ids } = this.m;
    let filled = 0;
    let cut = -1;
    for (let k = 0; k < live.length; k++) {
      const slot = live[k];
      const weight = weights[slot];
      const score = pairScore(states[slot], mix);
      const id = ids[slot] as string;
      let key = -1; // keys are > 0, so -1 is "not computed" (NaN would be a global lookup)
      if (filled === r) {
        if (score < cut) continue;
        const w = r - 1;
        if (weight === topWeight[w]) {
          if (score < topScore[w] || (score === topScore[w] && !(id < (ids[topSlot[w]] as string)))) continue;
        } else {
          key = weightedKey(score, weight);
          if (key < topKey[w] || (key === topKey[w] && !(id < (ids[topSlot[w]] as string)))) continue;
        }
      }
      if (key < 0) key = weightedKey(score, weight);
      let j = filled < r ? filled++ : r - 1;
      while (
        j > 0 &&
        beats(id, weight, score, ids[topSlot[j - 1]] as string, topWeight[j - 1], topScore[j - 1])
      ) {
        topScore[j] = topScore[j - 1];
        topKey[j] = topKey[j - 1];
        topWeight[j] = topWeight[j - 1];
        topSlot[j] = topSlot[j - 1];
        j--;
      }
      topScore[j] = score;
      topKey[j] = key;
      topWeight[j] = weight;
      topSlot[j] = slot;
      if (filled === r) cut = scoreCut(maxWeight, topKey[r - 1]);
    }
  }
}

/**
 * The score below which even a node of weight `maxWeight` loses to key `worstKey`, lowered
 * by a margin (~5 score units) far above the float error of exp/log, so the cut only ever
 * rejects pairs the exact comparison would reject too.
 */
function scoreCut(maxWeight: number, worstKey: number): number {
  if (!isFinite(worstKey)) return -1;
  return (exp(-maxWeight / worstKey) * 4294967296 - 0.5) * (1 - 1e-9) - 1;
}
