import type { BlobInfo } from '../blob/types';
import { StorageError } from '../errors';
import type { TrackedBlobStore } from '../repair/tracked-store';

/**
 * The whole of a small file as one exactly-sized buffer, through the store's verified full
 * read: a rotten copy rejects with DIGEST_MISMATCH (and the store reports it). null when the
 * copy is gone or quarantined. A copy that differs from `info` (size or digest) rejects with
 * STORAGE_UNAVAILABLE: what the caller remembered of it is out of date.
 */
export async function readVerified(
  store: TrackedBlobStore,
  key: string,
  info: BlobInfo,
): Promise<Buffer | null> {
  const read = await store.get(key);
  if (!read) return null;
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of read.body as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    total += chunk.length;
  }
  if (total !== info.size || read.info.sha256 !== info.sha256) {
    throw new StorageError('STORAGE_UNAVAILABLE', `${key} changed while it was read; try again`);
  }
  // Its own allocation, never a slice of a shared pool slab: the cache's byte count is what it holds.
  const bytes = Buffer.allocUnsafeSlow(total);
  let at = 0;
  for (const chunk of chunks) at += chunk.copy(bytes, at);
  return bytes;
}
