import type { KV } from '@nats-io/kv';
import type { Nats } from '../nats/connection';
import { BUCKETS } from '../nats/names';
import { retryNats } from '../nats/retry';
import type { SlotRecord } from './types';

/** A slot and the KV revision it was read at (the CAS handle for its next state). */
export interface StoredSlot {
  slot: SlotRecord;
  revision: number;
}

/**
 * KV `upload_slots`: one record per slot. Every state change is a write on the revision read
 * (STYLE §7), so of two completions racing for one slot exactly one claims it.
 */
export class SlotStore {
  constructor(
    private readonly kv: KV,
    private readonly nats: Nats,
  ) {}

  async create(slot: SlotRecord): Promise<void> {
    await retryNats(this.nats.retry, `create upload slot ${slot.id}`, () =>
      this.kv.create(slot.id, JSON.stringify(slot)),
    );
  }

  async get(id: string): Promise<StoredSlot | null> {
    const entry = await retryNats(this.nats.retry, `read upload slot ${id}`, () => this.kv.get(id));
    if (!entry || entry.operation !== 'PUT') return null;
    return { slot: entry.json<SlotRecord>(), revision: entry.revision };
  }

  /** Writes `next` if the slot is still at `revision`: the new revision, or null if it moved. */
  async swap(next: SlotRecord, revision: number): Promise<number | null> {
    try {
      return await this.kv.update(next.id, JSON.stringify(next), revision);
    } catch (err) {
      if (/wrong last sequence/i.test(String(err))) return null;
      throw err;
    }
  }
}

const opened = new WeakMap<Nats, Promise<SlotStore>>();

/** The node's handle on KV `upload_slots` (ensureNatsResources creates the bucket). */
export function slotStore(nats: Nats): Promise<SlotStore> {
  let pending = opened.get(nats);
  if (!pending) {
    pending = nats.kvm.open(BUCKETS.uploadSlots).then((kv) => new SlotStore(kv, nats));
    pending.catch(() => opened.delete(nats));
    opened.set(nats, pending);
  }
  return pending;
}
