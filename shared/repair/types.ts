/** Plain data of repair that other layers (membership records, the pages) carry. */

/** What /storage/health and the heartbeat record show of repair and scrub. */
export interface RepairStatus {
  running: boolean;
  lastPassAt: string | null;
  lastPassSeconds: number | null;
  lastPassRequests: number | null;
  underReplicated: number;
  lost: number;
  pulling: number;
  pulled: number;
  deleted: number;
  quarantined: number;
  trimBlocked: string | null;
  lastScrubAt: string | null;
  lastScrubSeconds: number | null;
}
