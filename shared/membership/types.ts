import type { DrainStatus } from '../drain/types';
import type { RepairStatus } from '../repair/types';

/** A node's record in KV bucket `nodes` (DESIGN §3), keyed by its node id. */
export interface NodeRecord {
  /** Lower-case `0x…` delegate wallet address. */
  nodeId: string;
  /**
   * Uncompressed secp256k1 public key of the delegate wallet, hex (its address is `nodeId`):
   * peers derive the pair key of node-to-node MACs from it (shared/access/node-mac.ts).
   */
  publicKey?: string;
  /** Public base URL, e.g. `http://127.0.0.1:9924`. */
  host: string;
  version: string;
  /** Bytes the node offers (0 when unknown). */
  capacity: number;
  /** Bytes in its long-term store (0 when unknown). */
  used: number;
  /** Placement weight (weighted HRW), default 1: AUDIUS_PLACEMENT_WEIGHT (shared/drain/weight.ts). */
  weight: number;
  /**
   * Set while the node drains (shared/drain/): it is no owner in anyone's ring, but stays a
   * healthy member — it serves, answers repair, and keeps its copies. Absent means false.
   */
  draining?: boolean;
  /** Where its drain stands (safe to remove?), for the weather map and the CLI. */
  drain?: DrainStatus;
  /**
   * Set while the node's blob store fails its probe or is below its free-space floor
   * (shared/store-health/): like a draining node it is no owner in anyone's ring, so no new
   * work lands on it, but it stays a member; cleared when a probe passes. Absent means fine.
   */
  storeProblem?: string;
  /** ISO time of this heartbeat by the node's clock (informational; health uses the server's time). */
  lastOk: string;
  startedAt: string;
  /** Shard replicas this node owns in its own ring view. */
  shardCount: number;
  /** Fingerprint of the node's own ring, so disagreements show on the weather map. */
  ringFingerprint: string;
  /** Jobs this node's transcode steps finished since it started. */
  jobsDone: number;
  /** Repair and scrub as this node last saw them (shared/repair/repairer.ts), for the weather map. */
  repair?: RepairStatus;
  /** Set on a clean shutdown: the others drop the node at once instead of after the TTL. */
  leaving?: boolean;
}

/** A member as one node sees it. */
export interface Member extends NodeRecord {
  healthy: boolean;
  /** ms since epoch of the last heartbeat: the KV entry's server time, on this node's clock. */
  seenAt: number;
}

/** One change of the healthy set, as this node observed it. */
export interface MembershipChange {
  at: string;
  joined: string[];
  left: string[];
  healthy: string[];
  ringFingerprint: string;
}
