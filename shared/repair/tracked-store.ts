import type {
  BlobInfo,
  BlobRead,
  BlobStore,
  GetOptions,
  ListOptions,
  ListPage,
  PutOptions,
  SmallRead,
} from '../blob/types';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { StorageError } from '../errors';
import type { Catalog } from './catalog';
import { verifiedBody } from './verify-stream';

/** Called when a full read finds a copy whose bytes do not match its recorded sha256. */
export type CorruptionHandler = (key: string, expectedSha256: string, actualSha256: string) => void;

/** Called synchronously when what a key holds may have changed: put, delete, copy onto it, quarantine. */
export type ChangeListener = (key: string) => void;

/**
 * The node's long-term store as every handler sees it: the configured driver, plus
 * - the catalog (./catalog.ts) kept current on every put, delete and copy;
 * - quarantine: a key marked bad answers as if absent (reads redirect to a good holder)
 *   until a verified put replaces it;
 * - verified full reads: a whole-object get hashes what it streams against the catalogued
 *   sha256 and reports a mismatch (ranged reads cannot be checked; the scrub covers them);
 * - change listeners (`onChange`): the read cache (shared/read-cache/) drops a key the moment
 *   it is deleted, replaced or quarantined.
 */
export class TrackedBlobStore implements BlobStore {
  private readonly quarantined = new Set<string>();
  /** Keys being moved aside by quarantine: puts and deletes of them wait (see `exclusively`). */
  private readonly exclusive = new Map<string, Promise<unknown>>();
  private readonly listeners = new Set<ChangeListener>();
  onCorrupt: CorruptionHandler = () => undefined;

  constructor(
    readonly inner: BlobStore,
    readonly catalog: Catalog,
  ) {}

  get scheme() {
    return this.inner.scheme;
  }
  get displayUrl() {
    return this.inner.displayUrl;
  }
  get abilities() {
    return this.inner.abilities;
  }

  check(): Promise<void> {
    return this.inner.check();
  }

  /** Quarantined keys have none: their file is evidence, never served. */
  localPath(key: string): string | undefined {
    return this.quarantined.has(key) ? undefined : this.inner.localPath?.(key);
  }

  async put(key: string, body: Readable, options?: PutOptions): Promise<BlobInfo> {
    await this.exclusive.get(key);
    const info = await this.inner.put(key, body, options);
    this.quarantined.delete(key);
    this.record(key, info);
    this.changed(key);
    return info;
  }

  async get(key: string, options: GetOptions = {}): Promise<BlobRead | null> {
    if (this.quarantined.has(key)) return null;
    const read = await this.inner.get(key, options);
    if (!read) return null;
    const expected = this.expectedSha256(key) ?? read.info.sha256;
    // The catalog remembers the digest the copy was verified against when written; a driver
    // that no longer vouches for it (the file store after an outside edit) still gets checked.
    if (expected && !read.info.sha256) read.info.sha256 = expected;
    if (!options.range && expected) {
      const body = verifiedBody(read.body, expected, (actual) => this.onCorrupt(key, expected, actual));
      return { ...read, body };
    }
    return read;
  }

  async head(key: string): Promise<BlobInfo | null> {
    if (this.quarantined.has(key)) return null;
    const info = await this.inner.head(key);
    const expected = this.expectedSha256(key);
    if (info && expected && !info.sha256) info.sha256 = expected;
    return info;
  }

  /**
   * The read path's cold small read (shared/read-cache/): the info and, when the copy is at
   * most `maxBytes` and has a digest to check, its bytes verified against it, as a full `get`
   * would: a rotten copy is reported (onCorrupt) and rejects with DIGEST_MISMATCH. Drivers
   * without `readSmall` answer the info only.
   */
  async readSmall(key: string, maxBytes: number): Promise<SmallRead | null> {
    if (this.quarantined.has(key)) return null;
    if (!this.inner.readSmall) {
      const info = await this.head(key);
      return info && { info };
    }
    const read = await this.inner.readSmall(key, maxBytes);
    if (!read) return null;
    const expected = this.expectedSha256(key) ?? read.info.sha256;
    if (expected && !read.info.sha256) read.info.sha256 = expected;
    if (!read.bytes) return read;
    if (!expected) return { info: read.info };
    const actual = createHash('sha256').update(read.bytes).digest('hex');
    if (actual !== expected) {
      this.onCorrupt(key, expected, actual);
      throw new StorageError('DIGEST_MISMATCH', `stored copy is corrupt (sha256 ${actual})`);
    }
    return read;
  }

  list(prefix: string, options?: ListOptions): Promise<ListPage> {
    return this.inner.list(prefix, options);
  }

  async delete(key: string): Promise<boolean> {
    await this.exclusive.get(key);
    const where = this.catalog.parseKey(key);
    if (where) this.catalog.remove(where.shard, where.name);
    try {
      return await this.inner.delete(key);
    } finally {
      this.changed(key);
    }
  }

  async copy(from: string, to: string): Promise<BlobInfo> {
    const info = await this.inner.copy(from, to);
    this.record(to, info);
    this.changed(to);
    return info;
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** From now on `key` reads as absent and leaves the catalog; true when it was not already. */
  quarantine(key: string): boolean {
    const where = this.catalog.parseKey(key);
    if (where) this.catalog.remove(where.shard, where.name);
    if (this.quarantined.has(key)) return false;
    this.quarantined.add(key);
    this.changed(key);
    return true;
  }

  /** A catalogued copy found missing from the store (the scrub): it leaves the catalog and caches. */
  vanished(key: string): void {
    const where = this.catalog.parseKey(key);
    if (where) this.catalog.remove(where.shard, where.name);
    this.changed(key);
  }

  /** Registers `listener`; returns the function that unregisters it. */
  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Runs `section` (quarantine moving a bad copy aside: read it, write it elsewhere, delete it)
   * with puts and deletes of `key` held back until it ends, so a good copy pulled meanwhile is
   * never deleted as the bad one.
   */
  async exclusively<T>(key: string, section: () => Promise<T>): Promise<T> {
    const running = section();
    const settled = running.catch(() => undefined);
    this.exclusive.set(key, settled);
    try {
      return await running;
    } finally {
      if (this.exclusive.get(key) === settled) this.exclusive.delete(key);
    }
  }

  isQuarantined(key: string): boolean {
    return this.quarantined.has(key);
  }

  private changed(key: string): void {
    for (const listener of this.listeners) listener(key);
  }

  private expectedSha256(key: string): string | undefined {
    const where = this.catalog.parseKey(key);
    return where ? this.catalog.get(where.shard, where.name)?.sha256 : undefined;
  }

  private record(key: string, info: BlobInfo): void {
    const where = this.catalog.parseKey(key);
    if (where && info.sha256)
      this.catalog.add(where.shard, { name: where.name, size: info.size, sha256: info.sha256 });
  }
}
