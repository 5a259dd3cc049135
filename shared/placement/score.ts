import { hash } from 'node:crypto';
import { fmix32, foldBlock, mixBlock } from './murmur';
import { allShards } from './keys';

/**
 * The rendezvous score (docs/placement.md §Score):
 *
 *   nodeWord  = first 4 bytes of SHA-256(UTF-8 node id)
 *   shardWord = first 4 bytes of SHA-256(ASCII shard)
 *   score     = MurmurHash3_x86_32(nodeWord ‖ shardWord, seed 0), unsigned
 *
 * SHA-256 runs once per node and once per shard; the per-pair work is one murmur block and
 * the finaliser (DESIGN §9: SHA-256 per pair costs ~2 ms per key at 1,000 nodes).
 */

// `log` as a module-level alias: see murmur.ts on Jest's vm context.
const log = Math.log;
const KEY_BYTES = 8;
const TWO_POW_32 = 4294967296;

/** First 4 bytes of SHA-256 of the text, read little-endian as murmur reads its blocks. */
export function sha256Word(text: string): number {
  return hash('sha256', text, 'buffer').readUInt32LE(0);
}

/** The murmur state after the node's block: all a pair needs from the node. */
export function nodeStateOfWord(nodeWord: number): number {
  return foldBlock(0, mixBlock(nodeWord));
}

/** The shard's murmur block, already mixed: all a pair needs from the shard. */
export function shardMixOfWord(shardWord: number): number {
  return mixBlock(shardWord);
}

/** The score of a (node, shard) pair from their precomputed halves. Keep in sync with table.ts. */
export function pairScore(nodeState: number, shardMix: number): number {
  return fmix32(foldBlock(nodeState, shardMix) ^ KEY_BYTES);
}

/** Weighted-HRW key: u in (0,1) from the score, then `-w / ln(u)`; higher wins. */
export function weightedKey(score: number, weight: number): number {
  return -weight / log((score + 0.5) / TWO_POW_32);
}

// Node ids recur across calls (every rankNodes, every Ring); bound the memo so a caller
// feeding endless distinct ids cannot grow it without limit.
const NODE_STATE_MEMO_LIMIT = 100_000;
const nodeStates = new Map<string, number>();

export function nodeState(nodeId: string): number {
  let state = nodeStates.get(nodeId);
  if (state === undefined) {
    if (nodeStates.size >= NODE_STATE_MEMO_LIMIT) nodeStates.clear();
    state = nodeStateOfWord(sha256Word(nodeId));
    nodeStates.set(nodeId, state);
  }
  return state;
}

export function shardMix(shard: string): number {
  return shardMixOfWord(sha256Word(shard));
}

const shardMixTables = new Map<number, Uint32Array>();

/**
 * Mixed shard words of every shard of a length, by shard index; computed once per process
 * (~50 ms at length 3, ~2 s at length 4) and shared by every Ring.
 */
export function shardMixTable(len: number): Uint32Array {
  let table = shardMixTables.get(len);
  if (!table) {
    const shards = allShards(len);
    table = new Uint32Array(shards.length);
    for (let i = 0; i < shards.length; i++) table[i] = shardMix(shards[i]);
    shardMixTables.set(len, table);
  }
  return table;
}

/** The score of a node id for a shard, from scratch. */
export function scoreOf(nodeId: string, shard: string): number {
  return pairScore(nodeState(nodeId), shardMix(shard));
}
