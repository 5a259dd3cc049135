import type { Readable } from 'node:stream';
import { LRUCache } from 'lru-cache';
import type { BlobInfo, SmallRead } from '../blob/types';
import { isStorageError } from '../errors';
import { readCacheBytes, readCacheEntries, readCacheEvictions, readCacheLookups } from '../metrics';
import type { TrackedBlobStore } from '../repair/tracked-store';
import { verifiedBody } from '../repair/verify-stream';
import { FdRangeStream, readRangeSync } from './fd-stream';
import { HolderMemo } from './holder-memo';
import { HotFiles, RECHECK_MS, stillOnDisk } from './hot-files';
import { OpenFiles } from './open-files';
import { readVerified } from './verified-bytes';

export interface ReadCacheSettings {
  /** Memory the cache may hold: small files' bytes plus an estimate per metadata entry. 0: off. */
  budgetBytes: number;
  /** Largest file whose bytes are held; larger files always stream from the store. */
  maxFileBytes: number;
}

/** What a cache entry costs besides its bytes: key, info object, LRU bookkeeping (measured: bench/serve.ts storm). */
const ENTRY_OVERHEAD_BYTES = 600;
/** Read size for files that stream: a 12 MB track goes out in 12 reads, not 192. */
export const STREAM_CHUNK_BYTES = 1024 * 1024;

/**
 * How long "not held here" is remembered (a 302 for a file held elsewhere then costs no store
 * lookup). The store's own puts drop it at once; this bounds how long a file an operator
 * copies into the directory by hand goes unseen.
 */
const ABSENT_TTL_MS = 2000;
/** Ranges up to this size are one read on the event loop (fd-stream.ts readRangeSync); larger ones stream. */
const SYNC_RANGE_BYTES = 256 * 1024;

interface Entry {
  /** null: this node holds no servable copy (remembered for ABSENT_TTL_MS). */
  info: BlobInfo | null;
  /** The whole file, verified against `info.sha256` when it was read. */
  bytes?: Buffer;
  /** When a local file's bytes were last found still on disk as `info` describes them (ms). */
  checkedAt?: number;
}

/** The bytes of an answer: in memory (cached or one direct read) or streamed from the store. */
export type ReadBody = Buffer | Readable;

/**
 * The node's read path memory (issue 14). A stored name's bytes never change, so what a read
 * learns stays true until the store says otherwise: the TrackedBlobStore's change hook (put,
 * delete, quarantine, a copy found vanished) drops the key at once.
 * - metadata (size, sha256, content type) of every file served, so HEAD, 304 and Range answer
 *   without touching the store;
 * - the bytes of small files (≤ maxFileBytes), only once a whole read verified them against
 *   their sha256 (the store's verified readSmall or full get): a rotten copy never enters;
 * - that a file is not held here, for a moment (ABSENT_TTL_MS): redirects cost no store lookup;
 * - open descriptors of large local files (./open-files.ts): seeks are one read, and whole
 *   reads are hashed until one matched the recorded digest, like the small files' bytes;
 * - the verified bytes of hot large files (./hot-files.ts: read often, up to an eighth of the
 *   budget each), so a popular track's seeks are slices of memory;
 * - a local file whose bytes are in memory is looked up on disk at most every RECHECK_MS: a
 *   copy deleted or replaced behind the store's back stops being served within that;
 * - everything within one LRU byte budget, metadata counted too.
 * Files without a recorded sha256 are never cached (nothing vouches for them).
 */
export class ReadCache {
  readonly holders = new HolderMemo();
  private readonly openFiles = new OpenFiles();
  private readonly hot: HotFiles;
  private readonly lru: LRUCache<string, Entry> | null;
  private readonly looking = new Map<string, Promise<BlobInfo | null>>();
  private readonly filling = new Map<string, Promise<Buffer | null>>();
  /** Bumped on every change: a fill that started before one does not store what it read. */
  private generation = 0;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: TrackedBlobStore,
    private readonly settings: ReadCacheSettings,
  ) {
    this.lru =
      settings.budgetBytes > 0
        ? new LRUCache<string, Entry>({
            maxSize: settings.budgetBytes,
            sizeCalculation: (entry, key) => costOf(key, entry.bytes?.length ?? 0),
            dispose: (_entry, _key, reason) => {
              if (reason === 'evict') readCacheEvictions.inc();
            },
          })
        : null;
    this.hot = new HotFiles(settings.budgetBytes);
    this.unsubscribe = store.onChange((key) => this.invalidate(key));
  }

  /**
   * The file's info, or null when this node does not hold a servable copy. A miss is one pass
   * over the store, shared by concurrent readers of the key: a small local file's verified
   * bytes come with its info from one open (the store's readSmall), so the GET that follows —
   * or the next one, after a HEAD or a 304 — is served from memory.
   */
  async info(key: string): Promise<BlobInfo | null> {
    const hit = this.lru?.get(key);
    readCacheLookups.inc({ kind: 'meta', result: hit ? 'hit' : 'miss' });
    if (hit) return hit.info;
    // No cache: the plain store lookup, the reference the cached answers are tested against.
    if (this.lru === null) return this.store.head(key);
    return shared(this.looking, key, () => this.lookUp(key));
  }

  /**
   * The requested bytes of a file `info` describes: from memory for small files, one direct
   * read for a range of a large local file, else a stream (whole reads are verified by the
   * store on the way out). null when the copy is gone, quarantined or found rotten.
   */
  async body(
    key: string,
    info: BlobInfo,
    range: { start: number; end: number } | null,
  ): Promise<ReadBody | null> {
    if (this.holdsBytesOf(info)) {
      const whole = await this.bytes(key, info);
      if (whole) return range ? whole.subarray(range.start, range.end + 1) : whole;
      return null;
    }
    if (this.lru !== null && this.hot.admissible(info)) {
      const held = this.inMemory(key, info);
      readCacheLookups.inc({ kind: 'bytes', result: held ? 'hit' : 'miss' });
      if (held) return range ? held.subarray(range.start, range.end + 1) : held;
      if (held === null) return null;
      // Brought into memory beside this read, which goes on from the store as before; a fill
      // whose result a change made stale is started again by the next read.
      if (this.hot.read(key))
        void shared(this.filling, key, () => this.fill(key, info)).catch(() => undefined);
    }
    const local = await this.fromOpenFile(key, info, range);
    if (local !== undefined) return local;
    const read = await this.store.get(
      key,
      range ? { range, chunkBytes: STREAM_CHUNK_BYTES } : { chunkBytes: STREAM_CHUNK_BYTES },
    );
    return read ? read.body : null;
  }

  /** Forgets `key` now (the store's change hook calls this). */
  invalidate(key: string): void {
    this.generation += 1;
    this.lru?.delete(key);
    // A reader from now on looks again rather than wait for what a read under way finds.
    this.looking.delete(key);
    this.filling.delete(key);
    this.openFiles.retire(key);
    this.hot.forget(key);
    this.updateGauges();
  }

  /** Bytes held (metadata estimate included) and entries: for tests and the benchmark. */
  usage(): { bytes: number; entries: number; budget: number } {
    return {
      bytes: this.lru?.calculatedSize ?? 0,
      entries: this.lru?.size ?? 0,
      budget: this.settings.budgetBytes,
    };
  }

  close(): void {
    this.unsubscribe();
    this.lru?.clear();
    this.openFiles.close();
    this.updateGauges();
  }

  /**
   * A large local file's bytes through its open descriptor (./open-files.ts): a range is one
   * pread; a whole read is hashed against the recorded sha256 until one such read matched.
   * undefined when the store has no local file or it no longer matches `info` (the caller
   * reads through the store); null when the copy lost its name on disk (deleted or replaced
   * outside the store): it is forgotten and not served.
   */
  private async fromOpenFile(
    key: string,
    info: BlobInfo,
    range: { start: number; end: number } | null,
  ): Promise<ReadBody | null | undefined> {
    const path = this.store.localPath(key);
    const expected = info.sha256;
    // No cache, no open files either: an uncached read goes through the store, as a reference.
    if (!path || !expected || this.lru === null) return undefined;
    const file = await this.openFiles.lease(key, path, info.size);
    if (!file) return undefined;
    let linked: boolean;
    try {
      linked = file.isLinked();
    } catch (err) {
      file.release(); // an fstat that fails (EIO, a stale mount) must not pin the descriptor
      throw err;
    }
    if (!linked) {
      file.release();
      this.invalidate(key);
      return null;
    }
    const { start, end } = range ?? { start: 0, end: info.size - 1 };
    if (range && end - start + 1 <= SYNC_RANGE_BYTES) {
      try {
        return readRangeSync(file, start, end - start + 1);
      } finally {
        file.release();
      }
    }
    const body = new FdRangeStream(file, start, end, STREAM_CHUNK_BYTES);
    if (range || file.verified) return body;
    const verified = verifiedBody(body, expected, (actual) => this.store.onCorrupt(key, expected, actual));
    verified.on('end', () => (file.verified = true));
    return verified;
  }

  private async lookUp(key: string): Promise<BlobInfo | null> {
    const generation = this.generation;
    let read: SmallRead | null;
    try {
      read = await this.store.readSmall(key, this.largestHeld(key));
    } catch (err) {
      // Rot found on the way: the store reported it (quarantine), and we serve nothing.
      if (isStorageError(err) && err.code === 'DIGEST_MISMATCH') return null;
      throw err;
    }
    const info = read?.info ?? null;
    if (generation !== this.generation || this.lru?.has(key)) return info;
    // Only a local directory, which this process alone writes (file-store.ts), says "absent"
    // reliably: a shared bucket may gain the file from another process (a Lambda's upload).
    if (!info && this.store.localPath(key)) this.remember(key, { info }, ABSENT_TTL_MS);
    else if (info?.sha256)
      this.remember(key, read?.bytes ? { info, bytes: read.bytes, checkedAt: Date.now() } : { info });
    return info;
  }

  /** The largest file whose bytes this cache holds, under `key` (holdsBytesOf). */
  private largestHeld(key: string): number {
    return Math.min(this.settings.maxFileBytes, this.settings.budgetBytes - costOf(key, 0));
  }

  private holdsBytesOf(info: BlobInfo): boolean {
    return (
      this.lru !== null &&
      info.sha256 !== undefined &&
      info.size <= this.settings.maxFileBytes &&
      costOf(info.key, info.size) <= this.settings.budgetBytes
    );
  }

  private async bytes(key: string, info: BlobInfo): Promise<Buffer | null> {
    const hit = this.inMemory(key, info);
    readCacheLookups.inc({ kind: 'bytes', result: hit ? 'hit' : 'miss' });
    if (hit) return hit;
    if (hit === null) return null;
    return shared(this.filling, key, () => this.fill(key, info));
  }

  private async fill(key: string, info: BlobInfo): Promise<Buffer | null> {
    const generation = this.generation;
    let bytes: Buffer | null;
    try {
      bytes = await readVerified(this.store, key, info);
    } catch (err) {
      // The store's verified read found rot: it reported it (quarantine), and we serve nothing.
      if (isStorageError(err) && err.code === 'DIGEST_MISMATCH') return null;
      // A copy that no longer matches what we remembered of it: forget it, the next read looks again.
      if (isStorageError(err) && err.code === 'STORAGE_UNAVAILABLE') this.invalidate(key);
      throw err;
    }
    if (bytes && generation === this.generation) this.remember(key, { info, bytes, checkedAt: Date.now() });
    return bytes;
  }

  /**
   * The verified bytes held in memory of the file `info` describes (undefined when none are, or
   * they are another version's); null when its local copy was found deleted or replaced behind
   * the store (looked at every RECHECK_MS at most): it is forgotten.
   */
  private inMemory(key: string, info: BlobInfo): Buffer | null | undefined {
    const entry = this.lru?.get(key);
    if (!entry?.bytes || !entry.info) return undefined;
    if (entry.info.sha256 !== info.sha256 || entry.info.size !== info.size) return undefined;
    const now = Date.now();
    if (now - (entry.checkedAt ?? 0) >= RECHECK_MS) {
      const path = this.store.localPath(key);
      if (path && !stillOnDisk(path, entry.info)) {
        this.invalidate(key);
        return null;
      }
      entry.checkedAt = now;
    }
    return entry.bytes;
  }

  private remember(key: string, entry: Entry, ttl?: number): void {
    this.lru?.set(key, entry, ttl ? { ttl } : undefined);
    this.updateGauges();
  }

  private updateGauges(): void {
    readCacheBytes.set(this.lru?.calculatedSize ?? 0);
    readCacheEntries.set(this.lru?.size ?? 0);
  }
}

function costOf(key: string, byteCount: number): number {
  return ENTRY_OVERHEAD_BYTES + key.length * 2 + byteCount;
}

/**
 * The one run of `start` for `key` under way, joined by every caller meanwhile. Entries are
 * removed when the run ends, unless invalidate() removed (and maybe replaced) them first.
 */
function shared<T>(runs: Map<string, Promise<T>>, key: string, start: () => Promise<T>): Promise<T> {
  let pending = runs.get(key);
  if (!pending) {
    const run: Promise<T> = start().finally(() => {
      if (runs.get(key) === run) runs.delete(key);
    });
    runs.set(key, run);
    pending = run;
  }
  return pending;
}
