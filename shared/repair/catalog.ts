import { createHash } from 'node:crypto';
import type { BlobStore } from '../blob/types';
import { parseFileName } from '../placement/mod';

/** One verified copy this node holds. */
export interface CatalogEntry {
  /** `<id>_<variant>.<ext>`. */
  name: string;
  /** Bytes. */
  size: number;
  /** Lower-case hex SHA-256 the copy was verified against when it was written. */
  sha256: string;
}

/**
 * What a shard holds, in two numbers (DESIGN §10 "Cost"): the count and an order-independent
 * digest — the XOR of a 128-bit hash of each (name, size, sha256). Two nodes with equal
 * summaries hold the same files with the same digests (up to a 2^-128 collision); adding or
 * removing one file is O(1), so the summary is kept current on every put and delete.
 */
export interface ShardSummary {
  count: number;
  /** 32 lower-case hex characters; all zeros for an empty shard. */
  digest: string;
}

const EMPTY_DIGEST = '0'.repeat(32);

/**
 * This node's index of its long-term store, by shard: built once at start from a listing of
 * the store, then maintained by the store wrapper (./tracked-store.ts) on every put, delete
 * and quarantine. Only copies with a known sha256 count: a copy whose digest the store cannot
 * vouch for is not a verified copy, so repair replaces it.
 */
export class Catalog {
  private readonly shards = new Map<string, { files: Map<string, CatalogEntry>; digest: Buffer }>();
  private readyPromise: Promise<void> | undefined;
  private ready = false;
  /** Copies found without a digest while building: the scrub checks these first. */
  readonly unverified = new Set<string>();

  constructor(
    private readonly namespace: string,
    private readonly shardLength: number,
  ) {}

  isReady(): boolean {
    return this.ready;
  }

  /** Lists the store (once); resolves when the index is complete. */
  build(blob: BlobStore): Promise<void> {
    this.readyPromise ??= this.load(blob).then(
      () => {
        this.ready = true;
      },
      (err: unknown) => {
        // A listing that failed (a store's transient 503) is tried again by the next caller.
        this.readyPromise = undefined;
        throw err;
      },
    );
    return this.readyPromise;
  }

  /** The shard of a long-term key (`<ns>_<shard>/<name>`) and its file name, or null. */
  parseKey(key: string): { shard: string; name: string } | null {
    const slash = key.indexOf('/');
    const folder = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const prefix = `${this.namespace}_`;
    if (slash < 0 || !folder.startsWith(prefix)) return null;
    const shard = folder.slice(prefix.length);
    const parsed = parseFileName(name);
    if (!parsed || shard.length !== this.shardLength || !parsed.id.endsWith(shard)) return null;
    return { shard, name };
  }

  /** The long-term key of a catalogued file. */
  keyOf(shard: string, name: string): string {
    return `${this.namespace}_${shard}/${name}`;
  }

  add(shard: string, entry: CatalogEntry): void {
    let s = this.shards.get(shard);
    if (!s) this.shards.set(shard, (s = { files: new Map(), digest: Buffer.alloc(16) }));
    const old = s.files.get(entry.name);
    if (old) xorInto(s.digest, entryHash(old));
    s.files.set(entry.name, entry);
    xorInto(s.digest, entryHash(entry));
  }

  remove(shard: string, name: string): void {
    const s = this.shards.get(shard);
    const old = s?.files.get(name);
    if (!s || !old) return;
    s.files.delete(name);
    xorInto(s.digest, entryHash(old));
    if (s.files.size === 0) this.shards.delete(shard);
  }

  get(shard: string, name: string): CatalogEntry | undefined {
    return this.shards.get(shard)?.files.get(name);
  }

  /** The shard's files, sorted by name. */
  list(shard: string): CatalogEntry[] {
    const files = this.shards.get(shard)?.files;
    return files ? [...files.values()].sort((a, b) => (a.name < b.name ? -1 : 1)) : [];
  }

  summary(shard: string): ShardSummary {
    const s = this.shards.get(shard);
    return s ? { count: s.files.size, digest: s.digest.toString('hex') } : { count: 0, digest: EMPTY_DIGEST };
  }

  /** Every non-empty shard's summary: what a peer compares against in one request. */
  summaries(): Record<string, [count: number, digest: string]> {
    const out: Record<string, [number, string]> = {};
    for (const [shard, s] of this.shards) out[shard] = [s.files.size, s.digest.toString('hex')];
    return out;
  }

  heldShards(): string[] {
    return [...this.shards.keys()];
  }

  fileCount(): number {
    let n = 0;
    for (const s of this.shards.values()) n += s.files.size;
    return n;
  }

  private async load(blob: BlobStore): Promise<void> {
    let cursor: string | undefined;
    do {
      const page = await blob.list(`${this.namespace}_`, { cursor, limit: 1000 });
      for (const item of page.items) {
        const where = this.parseKey(item.key);
        if (!where) continue;
        if (item.sha256) this.add(where.shard, { name: where.name, size: item.size, sha256: item.sha256 });
        else this.unverified.add(item.key);
      }
      cursor = page.cursor;
    } while (cursor);
  }
}

function entryHash(e: CatalogEntry): Buffer {
  return createHash('sha256').update(`${e.name}\n${e.size}\n${e.sha256}`).digest().subarray(0, 16);
}

function xorInto(target: Buffer, value: Buffer): void {
  for (let i = 0; i < target.length; i++) target[i] ^= value[i];
}
