import { pipeline } from 'node:stream/promises';
import type { BlobStore } from '../blob';
import { DigestStream } from '../blob/digest';
import { describeError, isStorageError } from '../errors';

/**
 * Read size for local sources: 1 MiB reads cut the read calls and hash updates of a large file
 * 16-fold against the stream default (64 KiB); `--concurrency` of them in flight stay small.
 */
const COPY_CHUNK_BYTES = 1024 * 1024;
/**
 * A file up to this size is read in one chunk of its own size: an S3 target sends a body that
 * fits one part as one buffer, and a single chunk is that buffer, not a copy of many (measured:
 * the copy and its garbage were a sixth of a backup's CPU).
 */
const WHOLE_READ_BYTES = 8 * 1024 * 1024;

export type CopyOutcome =
  | { kind: 'copied'; bytes: number }
  | { kind: 'missing' }
  | { kind: 'corrupt'; reason: string }
  /** The store refused or failed this one object (after the SDK's own retries). */
  | { kind: 'failed'; reason: string };

/**
 * Streams one object from store to store with its expected digest and size: the drivers hash
 * while writing and commit only when both match (shared/blob/digest.ts), so a corrupt source
 * never becomes a visible object — it is reported and the run goes on.
 */
export async function copyVerified(
  from: BlobStore,
  fromKey: string,
  to: BlobStore,
  toKey: string,
  expected: { sha256: string; size: number; contentType?: string },
  signal?: AbortSignal,
): Promise<CopyOutcome> {
  const chunkBytes = expected.size <= WHOLE_READ_BYTES ? Math.max(expected.size, 1) : COPY_CHUNK_BYTES;
  const read = await from.get(fromKey, { signal, chunkBytes }).catch((err: unknown) => {
    const reason = objectError(err);
    if (reason === null) throw err;
    return { failed: reason };
  });
  if (!read) return { kind: 'missing' };
  if ('failed' in read) return { kind: 'failed', reason: read.failed };
  try {
    const info = await to.put(toKey, read.body, {
      sha256: expected.sha256,
      size: expected.size,
      contentType: expected.contentType ?? read.info.contentType,
      signal,
    });
    return { kind: 'copied', bytes: info.size };
  } catch (err) {
    read.body.destroy();
    if (isStorageError(err) && err.code === 'DIGEST_MISMATCH')
      return { kind: 'corrupt', reason: err.message };
    throw err;
  }
}

/** Reads an object through and answers its digest and size (null when it is not there). */
export async function hashObject(
  store: BlobStore,
  key: string,
  signal?: AbortSignal,
): Promise<{ sha256: string; size: number } | null> {
  const read = await store.get(key, { signal, chunkBytes: COPY_CHUNK_BYTES });
  if (!read) return null;
  const digest = new DigestStream();
  await pipeline(read.body, digest, async function* (source) {
    for await (const chunk of source) void chunk; // drain: only the digest is wanted
  });
  return { sha256: digest.sha256, size: digest.size };
}

/** A store error on one object that should not end the whole run (reported, counted). */
export function objectError(err: unknown): string | null {
  if (isStorageError(err) && err.code !== 'BAD_CONFIG') return describeError(err);
  return null;
}
