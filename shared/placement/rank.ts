import { StorageError } from '../errors';
import { isValidShard } from './keys';
import { compareRanked, normalizeNodes } from './nodes';
import { assertReplicationFactor } from './options';
import { nodeState, pairScore, shardMix, weightedKey } from './score';
import { MAX_SHARD_LENGTH, type NodeInput, type RankedNode } from './types';

/**
 * Every node's standing for one shard, best first. This is the definition a Ring's table
 * must agree with; it favours clarity over speed (the Ring is the fast path).
 */
export function rankNodes(shard: string, nodes: readonly NodeInput[]): RankedNode[] {
  const mix = shardMix(assertShard(shard));
  return normalizeNodes(nodes)
    .map((node) => {
      const score = pairScore(nodeState(node.id), mix);
      return { ...node, score, key: weightedKey(score, node.weight) };
    })
    .sort(compareRanked);
}

/** The ids of the `r` owners of a shard, in rank order (fewer when there are fewer nodes). */
export function ownersOf(shard: string, nodes: readonly NodeInput[], r: number): string[] {
  assertReplicationFactor(r);
  return rankNodes(shard, nodes)
    .slice(0, r)
    .map((node) => node.id);
}

function assertShard(shard: string): string {
  const len = typeof shard === 'string' ? shard.length : 0;
  if (len < 1 || len > MAX_SHARD_LENGTH || !isValidShard(shard, len)) {
    throw new StorageError('BAD_SHARD', `not a shard of 1…${MAX_SHARD_LENGTH} lower-case base36 characters`);
  }
  return shard;
}
