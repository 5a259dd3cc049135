import { LRUCache } from 'lru-cache';

/** How long the nodes a job record names for a file are trusted before it is read again. */
const RECORD_TTL_MS = 10_000;

/**
 * The nodes each job record says hold a file, remembered briefly, so redirecting a read of a
 * file held elsewhere costs no KV read per request (shared/jobs/locate.ts). Health and ring
 * owners are still checked per request, from memory.
 */
export class HolderMemo {
  private readonly byName = new LRUCache<string, Promise<string[]>>({ max: 50_000, ttl: RECORD_TTL_MS });

  /** `load` runs at most once per file name per TTL; a failed load is not remembered. */
  recorded(fileName: string, load: () => Promise<string[]>): Promise<string[]> {
    let pending = this.byName.get(fileName);
    if (!pending) {
      pending = load();
      pending.catch(() => this.byName.delete(fileName));
      this.byName.set(fileName, pending);
    }
    return pending;
  }
}
