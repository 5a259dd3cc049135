/**
 * The placement contract (DESIGN §3). The exact score formula lives in `score.ts` and
 * `docs/placement.md`; both must change together, with new test vectors.
 */

/** Shards per id suffix length: 36^3 = 46,656 by default (DESIGN §3). */
export const DEFAULT_SHARD_LENGTH = 3;

/** R: how many nodes store each shard. */
export const DEFAULT_REPLICATION_FACTOR = 3;

/**
 * Longest supported shard length: 36^4 = 1,679,616 shards, enough for ~10,000 nodes at
 * ~500 shard replicas each. Length 5 (60 M shards) would need ~360 MB of table per node.
 */
export const MAX_SHARD_LENGTH = 4;

/** A sanity bound: R beyond this is a configuration mistake, not a design. */
export const MAX_REPLICATION_FACTOR = 255;

/** Owner tables hold node positions as uint16 with 0xFFFF meaning "no owner". */
export const MAX_NODES = 0xffff;

/** A member of the placement set. */
export interface NodeSpec {
  /** Node id: the delegate wallet's lower-case `0x…` address (printable ASCII, no spaces, ≤ 256 chars). */
  id: string;
  /** Relative capacity; a finite number > 0. Default 1. */
  weight?: number;
}

/** A node as given by a caller: its id alone means weight 1. */
export type NodeInput = string | NodeSpec;

/** A validated node. */
export interface PlacementNode {
  id: string;
  /** Relative capacity, > 0. */
  weight: number;
}

/** One node's standing for one shard, as `rankNodes` returns it. */
export interface RankedNode extends PlacementNode {
  /** The 32-bit rendezvous score (unsigned integer, 0 … 2^32 − 1). */
  score: number;
  /** The weighted-HRW key `-weight / ln((score + 0.5) / 2^32)`; > 0. */
  key: number;
}

/**
 * How shards are assigned (docs/placement.md): `rendezvous` — each shard's R best-ranked
 * nodes; `bounded` — rendezvous with bounded loads, no node above (1 + ε) × its
 * weight-proportional share of shard replicas.
 */
export type AssignmentMode = 'rendezvous' | 'bounded';
export const ASSIGNMENT_MODES: readonly AssignmentMode[] = ['rendezvous', 'bounded'];
export const DEFAULT_ASSIGNMENT: AssignmentMode = 'rendezvous';

/** ε of the bounded mode: a node holds at most (1 + ε) × its weighted share. */
export const DEFAULT_LOAD_BOUND = 0.04;

export interface RingOptions {
  /** Characters of an id that name its shard, 1 … MAX_SHARD_LENGTH. Default 3. */
  shardLength?: number;
  /** Owners per shard, ≥ 1. Default 3. */
  replicationFactor?: number;
  /** Default `rendezvous`. */
  assignment?: AssignmentMode;
  /** ε of the bounded mode, 0 … 10; ignored (and reported as 0) by `rendezvous`. Default 0.04. */
  loadBound?: number;
}

/** The format tag of `CompactRing`; a new encoding gets a new tag. */
export const COMPACT_RING_FORMAT = 'storage-v2/ring/1';

/**
 * The serialisable ring served by `GET /storage/ring`: a few hundred KB at shard length 3
 * (46,656 × R × 2 bytes before base64), so it is one JSON document rather than a map.
 */
export interface CompactRing {
  format: typeof COMPACT_RING_FORMAT;
  shardLength: number;
  replicationFactor: number;
  /** Members sorted by id (code-unit order); `owners` refers to them by position. */
  nodes: PlacementNode[];
  /**
   * Base64 of shardCount × replicationFactor little-endian uint16 values: for shard index s
   * (its base36 value), entries s·R … s·R+R−1 are node positions in rank order; 0xFFFF
   * fills the tail when fewer than R nodes exist.
   */
  owners: string;
  /** Present only for the bounded mode (absent means `rendezvous`). */
  assignment?: 'bounded';
  /** ε, present with `assignment`. */
  loadBound?: number;
  /** `Ring.fingerprint()`: lower-case hex SHA-256 of the canonical table. */
  fingerprint: string;
}
