import { StorageError } from '../errors';
import { compareIds } from './nodes';
import { nodeState } from './score';
import { MAX_NODES, type PlacementNode } from './types';

/**
 * A Ring's node set as columns indexed by slot, which is what owner tables store. Slots are
 * reused after a leave so a long-lived ring stays within uint16; the order of slots is an
 * implementation detail — the serialised form renumbers nodes by id.
 */
export class Members {
  /** Node id by slot; undefined for a free slot. */
  readonly ids: (string | undefined)[] = [];
  /** Precomputed murmur state of each slot's node (score.ts). */
  states = new Uint32Array(16);
  weights = new Float64Array(16);
  private readonly slotById = new Map<string, number>();
  private readonly freeSlots: number[] = [];
  private liveCache: Uint16Array | null = null;
  private sortedCache: readonly PlacementNode[] | null = null;

  get size(): number {
    return this.slotById.size;
  }

  slotOf(id: string): number | undefined {
    return this.slotById.get(id);
  }

  add(node: PlacementNode): number {
    if (this.slotById.has(node.id))
      throw new StorageError('VALIDATION_FAILED', `node ${node.id} is already a member`);
    if (this.size >= MAX_NODES) throw new StorageError('VALIDATION_FAILED', `at most ${MAX_NODES} nodes`);
    const slot = this.freeSlots.pop() ?? this.ids.length;
    if (slot === this.ids.length) this.ids.push(undefined);
    this.ensureCapacity(slot + 1);
    this.ids[slot] = node.id;
    this.states[slot] = nodeState(node.id);
    this.weights[slot] = node.weight;
    this.slotById.set(node.id, slot);
    this.invalidate();
    return slot;
  }

  /** Frees the node's slot and returns it; throws NOT_FOUND for a non-member. */
  remove(id: string): number {
    const slot = this.slotById.get(id);
    if (slot === undefined) throw new StorageError('NOT_FOUND', `node ${id} is not a member`);
    this.slotById.delete(id);
    this.ids[slot] = undefined;
    this.freeSlots.push(slot);
    this.invalidate();
    return slot;
  }

  /** Occupied slots, in slot order. */
  live(): Uint16Array {
    if (!this.liveCache) {
      const live = new Uint16Array(this.size);
      let n = 0;
      for (let slot = 0; slot < this.ids.length; slot++) if (this.ids[slot] !== undefined) live[n++] = slot;
      this.liveCache = live;
    }
    return this.liveCache;
  }

  /** True when every member has the same weight, so plain scores decide (the fast path). */
  uniformWeights(): boolean {
    const live = this.live();
    for (let i = 1; i < live.length; i++) if (this.weights[live[i]] !== this.weights[live[0]]) return false;
    return true;
  }

  /**
   * Members sorted by id: the canonical order of the serialised form. Frozen, because the
   * same array feeds the fingerprint until the next join or leave.
   */
  sorted(): readonly PlacementNode[] {
    if (!this.sortedCache) {
      const nodes = Array.from(this.live(), (slot) =>
        Object.freeze({ id: this.ids[slot] as string, weight: this.weights[slot] }),
      );
      this.sortedCache = Object.freeze(nodes.sort((a, b) => compareIds(a.id, b.id)));
    }
    return this.sortedCache;
  }

  private ensureCapacity(n: number): void {
    if (n <= this.states.length) return;
    const size = Math.min(Math.max(n, this.states.length * 2), MAX_NODES);
    const states = new Uint32Array(size);
    states.set(this.states);
    const weights = new Float64Array(size);
    weights.set(this.weights);
    this.states = states;
    this.weights = weights;
  }

  private invalidate(): void {
    this.liveCache = null;
    this.sortedCache = null;
  }
}
