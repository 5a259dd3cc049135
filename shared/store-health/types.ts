/** The last probe of this node's long-term store (shared/store-health/), as health and membership read it. */
export interface StoreState {
  /** The store took a probe write and has at least AUDIUS_MIN_FREE_DISK_MB free (file stores). */
  ok: boolean;
  /** Why it is not ok, in one line; null when ok. */
  reason: string | null;
  /** Least free bytes among the node's local directories (data dir, file store); null when unknown. */
  freeBytes: number | null;
  /** ISO time of the last probe; null before the first. */
  checkedAt: string | null;
}
