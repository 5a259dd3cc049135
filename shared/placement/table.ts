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
function beats(
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
  if (m.uniformWeights()) buildUniform(m, mixes, r, table);
  else buildWeighted(m, mixes, r, table);
  return table;
}

/** Ranks one shard from scratch into `table[offset … offset+r)` (any weights). */
export function rankShard(m: Members, mix: number, r: number, table: Uint16Array, offset: number): void {
  table.fill(NO_OWNER, offset, offset + r);
  const live = m.live();
  let filled = 0;
  for (let k = 0; k < live.length; k++) {
    const slot = live[k];
    if (filled === r && !outranks(m, slot, table[offset + r - 1], mix)) continue;
    let j = filled < r ? filled++ : r - 1;
    while (j > 0 && outranks(m, slot, table[offset + j - 1], mix)) {
      table[offset + j] = table[offset + j - 1];
      j--;
    }
    table[offset + j] = slot;
  }
}

/**
 * Equal weights: rank by plain score with the murmur pair step inlined (score.ts
 * `pairScore`, which the tests hold this loop to). Most pairs fail the first comparison
 * against the current R-th score and cost one hash.
 */
function buildUniform(m: Members, mixes: Uint32Array, r: number, table: Uint16Array): void {
  const live = m.live();
  const states = m.states;
  const ids = m.ids;
  const topScore = new Float64Array(r);
  const topSlot = new Uint16Array(r);
  for (let s = 0; s < mixes.length; s++) {
    const mix = mixes[s];
    topScore.fill(-1);
    topSlot.fill(NO_OWNER);
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
      while (j > 0 && outranksTop(score, slot, topScore[j - 1], topSlot[j - 1], ids)) {
        topScore[j] = topScore[j - 1];
        topSlot[j] = topSlot[j - 1];
        j--;
      }
      topScore[j] = score;
      topSlot[j] = slot;
      worst = topScore[r - 1];
    }
    table.set(topSlot, s * r);
  }
}

function outranksTop(
  score: number,
  slot: number,
  otherScore: number,
  otherSlot: number,
  ids: (string | undefined)[],
) {
  if (score !== otherScore) return score > otherScore;
  return (ids[slot] as string) < (ids[otherSlot] as string);
}

/**
 * Mixed weights. A log per pair made 1,000 nodes take ~0.8 s here, so each shard keeps a
 * conservative score cut below which no node of any weight can beat the current R-th key
 * (u > exp(−wMax/K) is necessary); only pairs above it get the exact comparison.
 */
function buildWeighted(m: Members, mixes: Uint32Array, r: number, table: Uint16Array): void {
  const live = m.live();
  const { states, weights, ids } = m;
  const top = { score: new Float64Array(r), key: new Float64Array(r), weight: new Float64Array(r) };
  const topSlot = new Uint16Array(r);
  let maxWeight = 0;
  for (let k = 0; k < live.length; k++) maxWeight = Math.max(maxWeight, weights[live[k]]);
  for (let s = 0; s < mixes.length; s++) {
    const mix = mixes[s];
    topSlot.fill(NO_OWNER);
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
        if (weight === top.weight[w]) {
          if (score < top.score[w] || (score === top.score[w] && !(id < (ids[topSlot[w]] as string))))
            continue;
        } else {
          key = weightedKey(score, weight);
          if (key < top.key[w] || (key === top.key[w] && !(id < (ids[topSlot[w]] as string)))) continue;
        }
      }
      if (key < 0) key = weightedKey(score, weight);
      let j = filled < r ? filled++ : r - 1;
      while (
        j > 0 &&
        beats(id, weight, score, ids[topSlot[j - 1]] as string, top.weight[j - 1], top.score[j - 1])
      ) {
        top.score[j] = top.score[j - 1];
        top.key[j] = top.key[j - 1];
        top.weight[j] = top.weight[j - 1];
        topSlot[j] = topSlot[j - 1];
        j--;
      }
      top.score[j] = score;
      top.key[j] = key;
      top.weight[j] = weight;
      topSlot[j] = slot;
      if (filled === r) cut = scoreCut(maxWeight, top.key[r - 1]);
    }
    table.set(topSlot, s * r);
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
