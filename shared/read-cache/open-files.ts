import fs from 'node:fs';
import { LRUCache } from 'lru-cache';
import { StorageError } from '../errors';

/** Handles kept open at most: well under a default 1024-descriptor limit, room for uploads and sockets. */
const MAX_OPEN = 256;
/**
 * How long a handle serves before it is closed and its file opened (and hashed on its next
 * whole read) again: bounds how long bytes that rot in place after a verified read can be
 * served before the next check, besides the scrub.
 */
const REOPEN_AFTER_MS = 10 * 60_000;

/** One open, read-only descriptor of a large local file; closed once retired and unread. */
export class OpenFile {
  /** A whole read through this descriptor matched the recorded sha256. */
  verified = false;
  private readers = 0;
  private retired = false;

  constructor(readonly fd: number) {}

  /** Still readable through this descriptor: the file has a name on disk (not deleted nor replaced). */
  isLinked(): boolean {
    return fs.fstatSync(this.fd).nlink > 0;
  }

  /** A reader begins; null when the handle was retired meanwhile. */
  lease(): OpenFile | null {
    if (this.retired) return null;
    this.readers += 1;
    return this;
  }

  release(): void {
    this.readers -= 1;
    this.closeIfIdle();
  }

  retire(): void {
    this.retired = true;
    this.closeIfIdle();
  }

  // A descriptor closed under a reader could be reused by another file before the reader's
  // next pread: it would serve that file's bytes. So close only when nobody reads.
  private closeIfIdle(): void {
    if (this.retired && this.readers === 0) {
      this.readers = -1; // closed once
      fs.close(this.fd, () => undefined);
    }
  }
}

/**
 * Open descriptors of the large files the node serves (issue 14): a player's seek is one
 * pread, not open + read + close, and a whole read skips re-hashing once one read through the
 * descriptor verified it. Keyed by store key; the read cache retires a key's handle the moment
 * the store changes it (put, delete, quarantine, vanished), and a handle whose file lost its
 * name on disk (deleted or replaced outside the store) is never used again.
 */
export class OpenFiles {
  private readonly handles = new LRUCache<string, OpenFile>({
    max: MAX_OPEN,
    ttl: REOPEN_AFTER_MS,
    dispose: (handle) => handle.retire(),
  });
  private readonly opening = new Map<string, Promise<OpenFile | null>>();
  /** Bumped on every retirement: an open that started before one does not keep its handle. */
  private generation = 0;

  /**
   * A leased handle of `path` holding `size` bytes (release it when done), or null when the
   * file is gone or no longer that size. The caller checks what the handle serves is still linked.
   */
  async lease(key: string, path: string, size: number): Promise<OpenFile | null> {
    const held = this.handles.get(key)?.lease();
    if (held) return held;
    let pending = this.opening.get(key);
    if (!pending) {
      pending = this.open(key, path, size).finally(() => this.opening.delete(key));
      this.opening.set(key, pending);
    }
    return (await pending)?.lease() ?? null;
  }

  retire(key: string): void {
    this.generation += 1;
    this.handles.delete(key);
  }

  close(): void {
    this.generation += 1;
    this.handles.clear();
  }

  private async open(key: string, path: string, size: number): Promise<OpenFile | null> {
    const generation = this.generation;
    const fd = await openReadOnly(path);
    if (fd === null) return null;
    const handle = new OpenFile(fd);
    const stat = await fs.promises.stat(path).catch(() => null);
    const fstat = fs.fstatSync(fd);
    // Another size than recorded, or a rename over the path between open and now: not ours to keep.
    if (fstat.size !== size || !stat || stat.ino !== fstat.ino || generation !== this.generation) {
      handle.retire();
      return null;
    }
    this.handles.set(key, handle);
    return handle;
  }
}

async function openReadOnly(path: string): Promise<number | null> {
  return new Promise((resolve, reject) =>
    fs.open(path, 'r', (err, fd) => {
      if (!err) return resolve(fd);
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return resolve(null);
      reject(
        new StorageError('STORAGE_UNAVAILABLE', `read ${path}: ${err.code ?? String(err)}`, { cause: err }),
      );
    }),
  );
}
