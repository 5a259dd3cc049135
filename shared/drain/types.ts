/** Plain data of a drain that other layers (membership records, routes, the pages) carry. */

/** Where a drain stands, as this node last checked (shared/drain/check.ts). */
export interface DrainStatus {
  draining: boolean;
  /** ISO time the drain was asked for (null when not draining). */
  since: string | null;
  /** Files this node holds, at the last check. */
  files: number;
  /** Of those, the files a fresh, store-verified listing showed on all R current owners. */
  confirmed: number;
  /** Draining, every file confirmed on R other owners, and every healthy member's ring agrees. */
  safeToRemove: boolean;
  /** ISO time of the last check (null before the first). */
  checkedAt: string | null;
  /** Why it is not safe to remove yet (null when it is, or when not draining). */
  blocked: string | null;
}
