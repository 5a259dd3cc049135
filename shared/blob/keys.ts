import { StorageError } from '../errors';

/**
 * Key rules shared by every driver, so a key that works on one backend works on all of them
 * (a backup made from S3 must restore into `file://`). The file driver maps keys to paths, so
 * the rules are the file system's: no traversal, no absolute paths, no empty or dot segments,
 * segment lengths that leave room for the `.json` sidecar inside NAME_MAX (255 bytes).
 */

/** First-segment prefix the drivers keep for themselves (temp files, metadata, start-up probes). */
export const RESERVED_PREFIX = '.blob-';

// S3 and Azure cap keys at 1024 bytes; GCS too. Segments leave room for a 5-byte suffix.
const MAX_KEY_BYTES = 1024;
const MAX_SEGMENT_BYTES = 250;
// C0 controls, DEL and backslash: NUL ends a C path, the rest are never wanted in keys.
const FORBIDDEN_CHARS = /[\u0000-\u001f\u007f\\]/;

function reject(key: string, why: string): never {
  throw new StorageError('VALIDATION_FAILED', `invalid blob key ${JSON.stringify(key)}: ${why}`);
}

/** Throws VALIDATION_FAILED unless `key` is a relative `/`-separated key every driver can store. */
export function assertValidKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key === '') reject(String(key), 'empty');
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) reject(key, `longer than ${MAX_KEY_BYTES} bytes`);
  if (FORBIDDEN_CHARS.test(key)) reject(key, 'contains a control character or a backslash');
  if (key.startsWith('/')) reject(key, 'absolute (starts with /)');
  for (const segment of key.split('/')) {
    if (segment === '') reject(key, 'has an empty segment (// or a trailing /)');
    if (segment === '.' || segment === '..') reject(key, `has a "${segment}" segment`);
    if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES)
      reject(key, `a segment is longer than ${MAX_SEGMENT_BYTES} bytes`);
  }
  if (key.startsWith(RESERVED_PREFIX))
    reject(key, `keys starting with "${RESERVED_PREFIX}" are reserved for the drivers`);
}

/** A list prefix is any leading part of a valid key: same characters, may end with `/`, may be empty. */
export function assertValidPrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string') reject(String(prefix), 'prefix is not a string');
  if (prefix === '') return;
  if (FORBIDDEN_CHARS.test(prefix)) reject(prefix, 'prefix contains a control character or a backslash');
  if (prefix.startsWith('/')) reject(prefix, 'prefix is absolute (starts with /)');
  const segments = prefix.split('/');
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === '' && !last) reject(prefix, 'prefix has an empty segment (//)');
    if ((segment === '..' || segment === '.') && !last) reject(prefix, `prefix has a "${segment}" segment`);
  });
}

/** Page size of a list call: default 1000 (S3's maximum), 1…1000. */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return 1000;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new StorageError('VALIDATION_FAILED', `list limit must be an integer 1…1000, got ${limit}`);
  }
  return limit;
}
