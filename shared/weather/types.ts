/**
 * What the weather map's API answers (`GET /storage/weather/api/*`). Plain data with no
 * imports from node-only code but type-only ones (erased when bundled; membership/types.ts
 * is plain data too), so the browser sources (web/) can import these types.
 */

import type { Member, MembershipChange } from '../membership/types';
import type { RepairStatus } from '../repair/types';

export type { RepairStatus };

/** A member as the answering node sees it. */
export type WeatherMember = Member;
/** A change of its healthy set. */
export type WeatherChange = MembershipChange;

/** A sketch of one ring: enough to draw it and to see where two rings differ. */
export interface RingSummary {
  fingerprint: string;
  /** Members of the ring, sorted by id. */
  nodes: string[];
  /** Shard replicas each member owns (all ranks), by node id. */
  replicas: Record<string, number>;
  /** Primary owner (index into `nodes`, -1 for none) of `RING_SAMPLES` evenly spaced shards. */
  primaries: number[];
}

/** One node's own view of the cluster, as its `GET /storage/nodes` answered. */
export interface NodeView {
  /** The node asked. */
  nodeId: string;
  host: string;
  /** false when it did not answer (in time); `error` says why. */
  reachable: boolean;
  error?: string;
  /** Its ring's fingerprint, and the members it counts as healthy (sorted). */
  ringFingerprint?: string;
  healthy?: string[];
  /** Its ring, drawn from its own `GET /storage/ring` (absent when it could not be fetched). */
  ring?: RingSummary;
}

/** Views grouped by what they agree on; one group each means the cluster agrees. */
export interface Agreement {
  agree: boolean;
  fingerprints: { fingerprint: string; viewers: string[] }[];
  healthySets: { healthy: string[]; viewers: string[] }[];
  /** Healthy members that did not answer, so their view is unknown. */
  unreachable: string[];
}

/** `GET /storage/weather/api/cluster`. */
export interface ClusterReport {
  /** The node that answered (and drew its members list). */
  self: string;
  generatedAt: string;
  namespace: string;
  shardLength: number;
  replicationFactor: number;
  healthTtlSeconds: number;
  members: WeatherMember[];
  views: NodeView[];
  agreement: Agreement;
  changes: WeatherChange[];
}

/** `GET /storage/repair/status`: a node's repair and scrub, and the files it is pulling now. */
export interface RepairStatusAnswer {
  nodeId: string;
  status: RepairStatus;
  /** File names, sorted. */
  pulling: string[];
}

/** The status of one file of a shard, checked against every owner (DESIGN §4.3). */
export const FILE_STATUS = {
  healthy: 'healthy',
  notReplicated: 'NOT REPLICATED',
  digestMismatch: 'DIGEST MISMATCH',
} as const;
export type FileStatus = (typeof FILE_STATUS)[keyof typeof FILE_STATUS];

/** What one node has of one file. */
export const COPY_STATE = {
  /** Held, size and sha256 as the job recorded (or no record to compare with). */
  ok: 'ok',
  missing: 'missing',
  /** Held, but its size or sha256 differs from the job record. */
  mismatch: 'mismatch',
  /** The node did not answer: unknown. */
  unreachable: 'unreachable',
} as const;
export type CopyState = (typeof COPY_STATE)[keyof typeof COPY_STATE];

export interface ShardNode {
  nodeId: string;
  host: string | null;
  /** Rank among the shard's owners (0 = first), null for a non-owner that holds files. */
  rank: number | null;
  healthy: boolean;
  reachable: boolean;
  error?: string;
  /**
   * Files of this shard it is pulling right now (repair), sorted. Absent for a non-owner (not
   * asked) and for an owner that did not say: then `repairError` says why.
   */
  repairing?: string[];
  repairError?: string;
}

/** What one node has of one file; `repairing` when that node is pulling it right now. */
export interface ShardCopy {
  state: CopyState;
  size?: number;
  sha256?: string | null;
  repairing?: true;
}

export interface ShardFile {
  fileName: string;
  jobId: string;
  /** From the job record (null when no record names the file). */
  expected: { size: number; sha256: string } | null;
  jobStatus: string | null;
  status: FileStatus;
  /** By node id, for every node in `ShardReport.nodes`. */
  copies: Record<string, ShardCopy>;
  /** Owners holding a good copy, of `owners.length`. */
  goodOwnerCopies: number;
}

/** `GET /storage/weather/api/shard/:shard`. */
export interface ShardReport {
  shard: string;
  /** `<ns>_<shard>`: the folder in every long-term store. */
  prefix: string;
  /** Owners in rank order, by the answering node's ring. */
  owners: string[];
  /** Owners first (rank order), then non-owners that hold or were recorded holding a file. */
  nodes: ShardNode[];
  files: ShardFile[];
  /** Jobs of this shard not yet done (their files are not expected yet). */
  pendingJobs: { id: string; status: string; name: string }[];
}
