/**
 * Placement (DESIGN §3): which R nodes store a shard, by weighted rendezvous hashing.
 * Pure and deterministic — no I/O, no clocks — so every node, in any language, agrees.
 * The formula and test vectors: docs/placement.md.
 */
export {
  ID_LENGTH,
  allShards,
  isValidId,
  isValidShard,
  parseFileName,
  shardAt,
  shardCount,
  shardIndex,
  shardOfFileName,
  shardOfId,
  shardOfKey,
  type ParsedFileName,
} from './keys';
export { murmur3x86_32 } from './murmur';
export { scoreOf, weightedKey } from './score';
export { ownersOf, rankNodes } from './rank';
export { Ring } from './ring';
export {
  ASSIGNMENT_MODES,
  COMPACT_RING_FORMAT,
  DEFAULT_ASSIGNMENT,
  DEFAULT_LOAD_BOUND,
  DEFAULT_REPLICATION_FACTOR,
  DEFAULT_SHARD_LENGTH,
  MAX_NODES,
  MAX_REPLICATION_FACTOR,
  MAX_SHARD_LENGTH,
  type AssignmentMode,
  type CompactRing,
  type NodeInput,
  type NodeSpec,
  type PlacementNode,
  type RankedNode,
  type RingOptions,
} from './types';
