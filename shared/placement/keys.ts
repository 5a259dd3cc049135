import { StorageError } from '../errors';
import { MAX_SHARD_LENGTH } from './types';

/**
 * Ids, result file names and shards (DESIGN §3). Everything here is a strict allow-list:
 * file names reach blob keys and URLs, so anything that is not exactly
 * `<25 base36>_<variant>.<ext>` is rejected before it can name a path.
 */

export const ID_LENGTH = 25;

const ID_RE = /^[0-9a-z]{25}$/;
// Variants are sizes or words (`320`, `150`, `preview`); 32/8 chars is far above any in use.
const FILE_NAME_RE = /^([0-9a-z]{25})_([0-9a-z]{1,32})\.([0-9a-z]{1,8})$/;
const BASE36_RE = /^[0-9a-z]+$/;

export interface ParsedFileName {
  id: string;
  variant: string;
  ext: string;
}

/** Throws BAD_CONFIG unless `len` is a supported shard length. */
export function assertShardLength(len: number): void {
  if (!Number.isInteger(len) || len < 1 || len > MAX_SHARD_LENGTH) {
    throw new StorageError('BAD_CONFIG', `shard length must be an integer 1…${MAX_SHARD_LENGTH}, got ${len}`);
  }
}

export function isValidId(id: unknown): boolean {
  return typeof id === 'string' && ID_RE.test(id);
}

/** `{id, variant, ext}` of a result file name, or null when it is not one. */
export function parseFileName(name: unknown): ParsedFileName | null {
  if (typeof name !== 'string') return null;
  const m = FILE_NAME_RE.exec(name);
  return m ? { id: m[1], variant: m[2], ext: m[3] } : null;
}

/** True when `shard` is exactly `len` lower-case base36 characters. */
export function isValidShard(shard: unknown, len: number): boolean {
  return typeof shard === 'string' && shard.length === len && BASE36_RE.test(shard);
}

export function shardOfId(id: string, len: number): string {
  assertShardLength(len);
  if (!isValidId(id))
    throw new StorageError('BAD_ID', `not a 25-character lower-case base36 id: ${show(id)}`);
  return id.slice(ID_LENGTH - len);
}

export function shardOfFileName(name: string, len: number): string {
  assertShardLength(len);
  const parsed = parseFileName(name);
  if (!parsed) throw new StorageError('BAD_FILE_NAME', `not <id>_<variant>.<ext>: ${show(name)}`);
  return parsed.id.slice(ID_LENGTH - len);
}

/**
 * Shard of whatever a caller holds: an id, a result file name, or a shard itself
 * (`GET /placement/:key`). The error code follows the shape the key seems to have.
 */
export function shardOfKey(key: string, len: number): string {
  assertShardLength(len);
  if (isValidShard(key, len)) return key;
  if (isValidId(key)) return key.slice(ID_LENGTH - len);
  const parsed = parseFileName(key);
  if (parsed) return parsed.id.slice(ID_LENGTH - len);
  if (typeof key === 'string' && /[._]/.test(key)) {
    throw new StorageError('BAD_FILE_NAME', `not <id>_<variant>.<ext>: ${show(key)}`);
  }
  if (typeof key === 'string' && key.length === ID_LENGTH) {
    throw new StorageError('BAD_ID', `not a 25-character lower-case base36 id: ${show(key)}`);
  }
  throw new StorageError(
    'BAD_SHARD',
    `not an id, a file name or a ${len}-character base36 shard: ${show(key)}`,
  );
}

/** Number of shards at a shard length: 36^len. */
export function shardCount(len: number): number {
  assertShardLength(len);
  return 36 ** len;
}

/** Position of a shard in `allShards(len)`: its base36 value. Throws BAD_SHARD. */
export function shardIndex(shard: string, len: number): number {
  if (!isValidShard(shard, len)) {
    throw new StorageError('BAD_SHARD', `not a ${len}-character lower-case base36 shard: ${show(shard)}`);
  }
  return parseInt(shard, 36);
}

/** The shard at a position of `allShards(len)`. */
export function shardAt(index: number, len: number): string {
  return index.toString(36).padStart(len, '0');
}

/** Every shard of a length, in index order (`000`, `001`, … `zzz`). */
export function allShards(len: number): string[] {
  const count = shardCount(len);
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) out[i] = shardAt(i, len);
  return out;
}

// Error messages echo input: keep them short and printable.
function show(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > 64 ? text.slice(0, 64) + '…' : text);
}
