import fs from 'node:fs';
import { LRUCache } from 'lru-cache';
import type { BlobInfo } from '../blob/types';

/** Reads of one large file, within HOT_WINDOW_MS, that bring its bytes into memory. */
export const HOT_READS = 8;
const HOT_WINDOW_MS = 60_000;
/** Large files counted at once: a bound on the counter's own memory. */
const COUNTED_MAX = 4096;
/** The largest share of the cache's budget one large file may take. */
const HOT_BUDGET_SHARE = 1 / 8;
/** How often a file served from memory is looked up on disk again (deleted or replaced behind the store). */
export const RECHECK_MS = 1000;

/**
 * Which large files are hot enough to serve from memory (issue 14). A player's seeks into a
 * popular track are each one pread and one copy of cold page-cache pages; from memory they are
 * one slice of a resident buffer (measured here: 64 KiB random ranges at about twice the rate).
 * A file is admitted after HOT_READS reads within a minute, so a run of one-off whole reads
 * never pushes the small files' bytes out of the cache.
 */
export class HotFiles {
  private readonly reads = new LRUCache<string, number>({ max: COUNTED_MAX, ttl: HOT_WINDOW_MS });

  constructor(private readonly budgetBytes: number) {}

  /** Whether `info`'s file may be held in memory at all. */
  admissible(info: BlobInfo): boolean {
    return info.sha256 !== undefined && info.size <= this.budgetBytes * HOT_BUDGET_SHARE;
  }

  /** Counts one read of a file not in memory; true from its HOT_READS-th read in the window on. */
  read(key: string): boolean {
    const count = (this.reads.get(key) ?? 0) + 1;
    this.reads.set(key, count, { noUpdateTTL: count > 1 });
    return count >= HOT_READS;
  }

  forget(key: string): void {
    this.reads.delete(key);
  }
}

/**
 * Whether the local file a memory entry was read from is still the one `info` describes:
 * it has a name, its size and its modification time. A copy deleted or replaced outside the
 * store is then served from memory for at most RECHECK_MS. (Reads through the store's own
 * put, delete and quarantine leave the cache at once, by its change hook.)
 */
export function stillOnDisk(path: string, info: BlobInfo): boolean {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(path, { throwIfNoEntry: false });
  } catch {
    return false; // EIO, EACCES, a stale mount: not a copy to vouch for (the reader is redirected)
  }
  return (
    stat !== undefined &&
    stat.isFile() &&
    stat.size === info.size &&
    (info.modified === undefined || stat.mtime.getTime() === info.modified.getTime())
  );
}
