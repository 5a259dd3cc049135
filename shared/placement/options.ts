import { StorageError } from '../errors';
import { assertShardLength } from './keys';
import {
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

export function resolveRingOptions(options: RingOptions): Required<RingOptions> {
  const shardLength = options.shardLength ?? DEFAULT_SHARD_LENGTH;
  const replicationFactor = options.replicationFactor ?? DEFAULT_REPLICATION_FACTOR;
  assertShardLength(shardLength);
  assertReplicationFactor(replicationFactor);
  return { shardLength, replicationFactor };
}
