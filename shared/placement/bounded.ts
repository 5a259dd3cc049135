import type { Members } from './members';
import { beats, NO_OWNER, outranks } from './table';
import { pairScore, sha256Word } from './score';

const TWO_POW_32 = 4294967296;

/**
 * Rendezvous with bounded loads (docs/placement.md §Bounded loads). Each node has a
 * capacity of `floor((1 + ε) · R · S · w / W)` shard replicas (at most S); the table is the
 * unique stable assignment in which every shard prefers the nodes it ranks higher (the
 * rendezvous ranking) and every node prefers the shards it scores higher: equivalently, go
 * through all (node, shard) pairs from the best pair down and keep a pair when its shard
 * still has a free seat and its node still has room. Being unique, it does not depend on the
 * order in which it is computed — which is what makes every node agree.
 *
 * It is computed here by deferred acceptance: every shard first takes its R best nodes
 * (the plain table); a node over capacity gives up the shards it scores lowest, and each
 * such shard asks the next node down its ranking, until every node is within capacity.
 */

/** Shard indices fit 21 bits at the longest shard length (36^4 < 2^21). */
const SHARD_BITS = 2_097_152;

/**
 * Per slot: how many shard replicas the node may hold,
 * `min(S, floor((1 + ε) · (R · S) · w / W + d))`, d = the node's own SHA-256 word / 2^32.
 * The offset d in [0, 1) staggers where each node's capacity steps to the next integer: with
 * a common rounding, every full node would gain or lose a seat at the same join or leave and
 * move a shard each. W is summed in id order, and the expression is evaluated exactly as
 * written (IEEE-754 doubles), so every language agrees.
 */
export function capacities(m: Members, shardCount: number, r: number, epsilon: number): Int32Array {
  const caps = new Int32Array(m.ids.length);
  let total = 0;
  for (const node of m.sorted()) total += node.weight;
  for (const slot of m.live()) {
    const offset = sha256Word(m.ids[slot] as string) / TWO_POW_32;
    const cap = Math.floor(((1 + epsilon) * (r * shardCount) * m.weights[slot]) / total + offset);
    caps[slot] = Math.min(cap, shardCount);
  }
  return caps;
}

/**
 * Rewrites `table` (the plain rendezvous table, every shard's top R) into the bounded
 * table. Returns nothing: the table is updated in place.
 */
export function boundTable(
  m: Members,
  mixes: Uint32Array,
  r: number,
  epsilon: number,
  table: Uint16Array,
): void {
  const live = m.live();
  if (live.length <= r) return; // every node owns every shard: nothing to bound
  const shardCount = mixes.length;
  const caps = capacities(m, shardCount, r, epsilon);
  const loads = new Int32Array(m.ids.length);
  for (let i = 0; i < table.length; i++) loads[table[i]]++;
  const heaps: SeatHeap[] = [];
  for (const slot of live) heaps[slot] = new SeatHeap(Math.max(loads[slot], caps[slot]) + 1);
  // The deepest node each shard has asked so far: the next ask goes below it.
  const deepest = new Uint16Array(shardCount);
  for (let s = 0; s < shardCount; s++) {
    const off = s * r;
    deepest[s] = table[off + r - 1];
    for (let j = 0; j < r; j++) {
      const slot = table[off + j];
      heaps[slot].push(seatValue(pairScore(m.states[slot], mixes[s]), s));
    }
  }
  const open: number[] = []; // shards with a free seat, one entry per seat
  const touched = new Uint8Array(shardCount);
  for (const slot of live) {
    while (heaps[slot].size > caps[slot]) {
      const s = shardOfSeat(heaps[slot].pop());
      vacate(table, s * r, r, slot);
      touched[s] = 1;
      open.push(s);
    }
  }
  const unfilled: number[] = [];
  while (open.length > 0) {
    const s = open.pop() as number;
    const next = nextBelow(m, live, mixes[s], deepest[s]);
    if (next === NO_OWNER) {
      unfilled.push(s);
      continue;
    }
    deepest[s] = next;
    const heap = heaps[next];
    const value = seatValue(pairScore(m.states[next], mixes[s]), s);
    if (heap.size < caps[next]) {
      heap.push(value);
      seat(table, s * r, next);
    } else if (heap.size > 0 && heap.min() < value) {
      const loser = shardOfSeat(heap.pop());
      vacate(table, loser * r, r, next);
      touched[loser] = 1;
      open.push(loser);
      heap.push(value);
      seat(table, s * r, next);
    } else {
      open.push(s); // refused: ask the next one down
    }
  }
  // Capacities too tight to seat everyone (a few heavy nodes, ε near 0): the rest of a shard's
  // seats go to its best-ranked nodes not yet seated, ignoring capacity, so no shard ever has
  // fewer than R owners.
  for (const s of unfilled) fillIgnoringCaps(m, live, mixes[s], table, s * r, r);
  for (let s = 0; s < shardCount; s++) if (touched[s]) sortRow(m, mixes[s], table, s * r, r);
}

/** Higher is better for the node: its score, then the smaller shard index. Exact in a double (53 bits). */
function seatValue(score: number, shard: number): number {
  return score * SHARD_BITS + (SHARD_BITS - 1 - shard);
}

function shardOfSeat(value: number): number {
  return SHARD_BITS - 1 - (value % SHARD_BITS);
}

/** The best live node that ranks strictly below `after` for the shard with mix `mix`. */
function nextBelow(m: Members, live: Uint16Array, mix: number, after: number): number {
  const { ids, weights, states } = m;
  const afterId = ids[after] as string;
  const afterWeight = weights[after];
  const afterScore = pairScore(states[after], mix);
  let best = NO_OWNER;
  let bestId = '';
  let bestWeight = 0;
  let bestScore = 0;
  for (let k = 0; k < live.length; k++) {
    const slot = live[k];
    if (slot === after) continue;
    const id = ids[slot] as string;
    const weight = weights[slot];
    const score = pairScore(states[slot], mix);
    if (!beats(afterId, afterWeight, afterScore, id, weight, score)) continue;
    if (best === NO_OWNER || beats(id, weight, score, bestId, bestWeight, bestScore)) {
      best = slot;
      bestId = id;
      bestWeight = weight;
      bestScore = score;
    }
  }
  return best;
}

function fillIgnoringCaps(
  m: Members,
  live: Uint16Array,
  mix: number,
  table: Uint16Array,
  off: number,
  r: number,
) {
  for (let j = 0; j < r; j++) {
    if (table[off + j] !== NO_OWNER) continue;
    let best = NO_OWNER;
    for (let k = 0; k < live.length; k++) {
      const slot = live[k];
      if (holds(table, off, r, slot)) continue;
      if (best === NO_OWNER || outranks(m, slot, best, mix)) best = slot;
    }
    table[off + j] = best;
  }
}

function vacate(table: Uint16Array, off: number, r: number, slot: number): void {
  let j = off;
  while (table[j] !== slot) j++;
  table.copyWithin(j, j + 1, off + r);
  table[off + r - 1] = NO_OWNER;
}

function seat(table: Uint16Array, off: number, slot: number): void {
  let j = off;
  while (table[j] !== NO_OWNER) j++;
  table[j] = slot;
}

function holds(table: Uint16Array, off: number, r: number, slot: number): boolean {
  for (let j = off; j < off + r; j++) if (table[j] === slot) return true;
  return false;
}

/** A shard's owners in its rank order (insertion sort: R is small). */
function sortRow(m: Members, mix: number, table: Uint16Array, off: number, r: number): void {
  for (let i = off + 1; i < off + r && table[i] !== NO_OWNER; i++) {
    const slot = table[i];
    let j = i;
    while (j > off && outranks(m, slot, table[j - 1], mix)) {
      table[j] = table[j - 1];
      j--;
    }
    table[j] = slot;
  }
}

/** A binary min-heap of seat values: a node's weakest shard is on top. */
class SeatHeap {
  private readonly values: Float64Array;
  size = 0;

  constructor(capacity: number) {
    this.values = new Float64Array(Math.max(capacity, 1));
  }

  min(): number {
    return this.values[0];
  }

  push(value: number): void {
    const v = this.values;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (v[parent] <= value) break;
      v[i] = v[parent];
      i = parent;
    }
    v[i] = value;
  }

  pop(): number {
    const v = this.values;
    const top = v[0];
    const last = v[--this.size];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= this.size) break;
      if (child + 1 < this.size && v[child + 1] < v[child]) child++;
      if (v[child] >= last) break;
      v[i] = v[child];
      i = child;
    }
    v[i] = last;
    return top;
  }
}
