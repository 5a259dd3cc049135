import { StorageError } from '../errors';
import { decodeCompact, encodeCompact, fingerprintOf, type CanonicalRing } from './compact';
import { shardAt, shardCount, shardIndex, shardOfKey } from './keys';
import { Members } from './members';
import { normalizeNode, normalizeNodes } from './nodes';
import { resolveRingOptions } from './options';
import { shardMixTable } from './score';
import { boundTable } from './bounded';
import { buildTable, NO_OWNER, outranks, ShardRanker } from './table';
import type { AssignmentMode, CompactRing, NodeInput, PlacementNode, RingOptions } from './types';

/**
 * A node's view of placement: the shard → owners table over its healthy set (DESIGN §3).
 * A node's score for a shard never changes, so `join` and `leave` touch only the shards
 * whose owners can change and return them — the list repair works from. In the bounded
 * mode (bounded.ts) a change can ripple through capacities, so join and leave rebuild the
 * table and return the shards whose owners differ.
 */
export class Ring {
  readonly shardLength: number;
  readonly replicationFactor: number;
  readonly shardCount: number;
  readonly assignment: AssignmentMode;
  /** ε of the bounded mode; 0 for rendezvous. */
  readonly loadBound: number;
  private readonly members = new Members();
  private readonly mixes: Uint32Array;
  /** The plain rendezvous table, kept incrementally; in the bounded mode `table` is derived from it. */
  private base: Uint16Array;
  private table: Uint16Array;
  private fingerprintCache: string | null = null;
  private readonly shardsOfCache = new Map<string, string[]>();

  constructor(nodes: readonly NodeInput[] = [], options: RingOptions = {}) {
    const resolved = resolveRingOptions(options);
    this.shardLength = resolved.shardLength;
    this.replicationFactor = resolved.replicationFactor;
    this.assignment = resolved.assignment;
    this.loadBound = resolved.loadBound;
    this.shardCount = shardCount(this.shardLength);
    this.mixes = shardMixTable(this.shardLength);
    for (const node of normalizeNodes(nodes)) this.members.add(node);
    this.base = buildTable(this.members, this.mixes, this.replicationFactor);
    this.table = this.bounded(this.base);
  }

  /** The options that rebuild this ring's table from its nodes. */
  get options(): Required<RingOptions> {
    return {
      shardLength: this.shardLength,
      replicationFactor: this.replicationFactor,
      assignment: this.assignment,
      loadBound: this.loadBound,
    };
  }

  /**
   * A ring from its serialised form (a peer's `GET /storage/ring`). Throws VALIDATION_FAILED
   * on a malformed table or a wrong fingerprint; `verify` also re-runs placement over the
   * nodes and rejects a table that placement would not produce.
   */
  static fromCompact(input: unknown, options: { verify?: boolean } = {}): Ring {
    const canonical = decodeCompact(input);
    const ring = new Ring([], canonical);
    // A fresh Members hands out slots 0…n−1 in insertion order: the canonical positions.
    for (const node of canonical.nodes) ring.members.add(node);
    ring.table = canonical.owners;
    ring.base =
      ring.assignment === 'bounded'
        ? buildTable(ring.members, ring.mixes, ring.replicationFactor)
        : ring.table;
    if (options.verify) {
      const rebuilt = new Ring(canonical.nodes, canonical);
      if (rebuilt.fingerprint() !== ring.fingerprint()) {
        throw new StorageError(
          'VALIDATION_FAILED',
          'compact ring: the table is not what placement gives for its nodes',
        );
      }
    }
    return ring;
  }

  /** Members sorted by id. */
  get nodes(): readonly PlacementNode[] {
    return this.members.sorted();
  }

  get size(): number {
    return this.members.size;
  }

  has(nodeId: string): boolean {
    return this.members.slotOf(nodeId) !== undefined;
  }

  /** Owner ids of a shard in rank order. Throws BAD_SHARD. */
  owners(shard: string): string[] {
    return this.ownersAt(shardIndex(shard, this.shardLength));
  }

  /** Owners of an id, a result file name or a shard. */
  ownersOfKey(key: string): string[] {
    return this.owners(shardOfKey(key, this.shardLength));
  }

  /**
   * Shards a node owns, in shard order; empty for a non-member. Remembered until the table
   * changes: heartbeats, metrics and repair passes ask for it often, and a walk of 46,656
   * shards costs ~6 ms (bench:repair).
   */
  shardsOf(nodeId: string): string[] {
    const cached = this.shardsOfCache.get(nodeId);
    if (cached) return [...cached];
    const slot = this.members.slotOf(nodeId);
    if (slot === undefined) return [];
    const out: string[] = [];
    const r = this.replicationFactor;
    for (let s = 0; s < this.shardCount; s++) {
      if (holds(this.table, s * r, r, slot)) out.push(shardAt(s, this.shardLength));
    }
    this.shardsOfCache.set(nodeId, out);
    return [...out];
  }

  /**
   * Adds a node; returns the shards whose owners changed — exactly those the newcomer now
   * owns. Only the newcomer's score against each shard's current last owner is computed.
   */
  join(input: NodeInput): string[] {
    const slot = this.members.add(normalizeNode(input));
    const r = this.replicationFactor;
    const base = this.base;
    const changed: string[] = [];
    for (let s = 0; s < this.shardCount; s++) {
      const off = s * r;
      let j = r;
      while (
        j > 0 &&
        (base[off + j - 1] === NO_OWNER || outranks(this.members, slot, base[off + j - 1], this.mixes[s]))
      ) {
        j--;
      }
      if (j === r) continue;
      base.copyWithin(off + j + 1, off + j, off + r - 1);
      base[off + j] = slot;
      changed.push(shardAt(s, this.shardLength));
    }
    return this.settle(changed);
  }

  /**
   * Removes a node; returns the shards whose owners changed — exactly those it owned, each
   * re-ranked over the remaining members. Throws NOT_FOUND for a non-member.
   */
  leave(nodeId: string): string[] {
    const slot = this.members.remove(nodeId);
    const r = this.replicationFactor;
    const ranker = new ShardRanker(this.members, r);
    const changed: string[] = [];
    for (let s = 0; s < this.shardCount; s++) {
      const off = s * r;
      if (!holds(this.base, off, r, slot)) continue;
      ranker.rank(this.mixes[s], this.base, off);
      changed.push(shardAt(s, this.shardLength));
    }
    return this.settle(changed);
  }

  /** Hex SHA-256 of the canonical table (docs/placement.md §Fingerprint); equal rings, equal prints. */
  fingerprint(): string {
    this.fingerprintCache ??= fingerprintOf(this.canonical());
    return this.fingerprintCache;
  }

  toCompact(): CompactRing {
    const compact = encodeCompact(this.canonical());
    this.fingerprintCache = compact.fingerprint;
    this.shardsOfCache.clear();
    return compact;
  }

  /** The table this ring serves from the plain one: itself, or bounded (bounded.ts) in a copy. */
  private bounded(base: Uint16Array): Uint16Array {
    if (this.assignment !== 'bounded') return base;
    const table = base.slice();
    boundTable(this.members, this.mixes, this.replicationFactor, this.loadBound, table);
    return table;
  }

  /**
   * After a join or leave applied to the plain table (whose changed shards are `plainChanged`):
   * derives the served table and returns the shards whose owners changed in it. In the bounded
   * mode slots compare as ids: a leaver's freed slot is only in the old table (so its rows
   * differ) and a reused slot only in the new one.
   */
  private settle(plainChanged: string[]): string[] {
    this.fingerprintCache = null;
    this.shardsOfCache.clear();
    if (this.assignment !== 'bounded') return plainChanged;
    const before = this.table;
    this.table = this.bounded(this.base);
    const r = this.replicationFactor;
    const changed: string[] = [];
    for (let s = 0; s < this.shardCount; s++) {
      for (let j = s * r; j < s * r + r; j++) {
        if (before[j] !== this.table[j]) {
          changed.push(shardAt(s, this.shardLength));
          break;
        }
      }
    }
    return changed;
  }

  private ownersAt(index: number): string[] {
    const r = this.replicationFactor;
    const out: string[] = [];
    for (let j = index * r; j < index * r + r && this.table[j] !== NO_OWNER; j++) {
      out.push(this.members.ids[this.table[j]] as string);
    }
    return out;
  }

  /** The table renumbered by id order, so it is the same on every node. */
  private canonical(): CanonicalRing {
    const nodes = this.members.sorted();
    const position = new Uint16Array(this.members.ids.length);
    nodes.forEach((node, i) => (position[this.members.slotOf(node.id) as number] = i));
    const owners = new Uint16Array(this.table.length);
    for (let i = 0; i < owners.length; i++) {
      owners[i] = this.table[i] === NO_OWNER ? NO_OWNER : position[this.table[i]];
    }
    return { ...this.options, nodes, owners };
  }
}

// A loop, not subarray().includes(): that allocates a view per shard, 46,656 per scan.
function holds(table: Uint16Array, offset: number, r: number, slot: number): boolean {
  for (let j = offset; j < offset + r; j++) if (table[j] === slot) return true;
  return false;
}
