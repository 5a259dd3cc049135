import { StorageError } from '../errors';
import { assertShardLength } from './keys';
import {
  ASSIGNMENT_MODES,
  DEFAULT_ASSIGNMENT,
  DEFAULT_LOAD_BOUND,
  DEFAULT_REPLICATION_FACTOR,
  DEFAULT_SHARD_LENGTH,
  MAX_REPLICATION_FACTOR,
  type RingOptions,
} from './types';

/** Throws BAD_CONFIG unless `r` is a usable replication factor (it comes from configuration). */
export function assertReplicationFactor(r: number): void {
  if (!Number.isInteger(r) || r < 1 || r > MAX_REPLICATION_FACTOR) {
    throw new StorageError(
      'BAD_CONFIG',
      `replication factor must be an integer 1…${MAX_REPLICATION_FACTOR}, got ${r}`,
    );
  }
}

/** Throws BAD_CONFIG unless the assignment mode and its ε are usable. */
export function assertAssignment(assignment: unknown, loadBound: unknown): void {
  if (!ASSIGNMENT_MODES.includes(assignment as never)) {
    throw new StorageError(
      'BAD_CONFIG',
      `assignment must be one of ${ASSIGNMENT_MODES.join(', ')}, got ${String(assignment)}`,
    );
  }
  if (typeof loadBound !== 'number' || !Number.isFinite(loadBound) || loadBound < 0 || loadBound > 10) {
    throw new StorageError('BAD_CONFIG', `load bound ε must be a number 0…10, got ${String(loadBound)}`);
  }
}

export function resolveRingOptions(options: RingOptions): Required<RingOptions> {
  const shardLength = options.shardLength ?? DEFAULT_SHARD_LENGTH;
  const replicationFactor = options.replicationFactor ?? DEFAULT_REPLICATION_FACTOR;
  const assignment = options.assignment ?? DEFAULT_ASSIGNMENT;
  assertShardLength(shardLength);
  assertReplicationFactor(replicationFactor);
  assertAssignment(assignment, options.loadBound ?? DEFAULT_LOAD_BOUND);
  // ε means nothing to plain rendezvous: one canonical value, so equal tables print equal.
  const loadBound = assignment === 'bounded' ? (options.loadBound ?? DEFAULT_LOAD_BOUND) : 0;
  return { shardLength, replicationFactor, assignment, loadBound };
}
