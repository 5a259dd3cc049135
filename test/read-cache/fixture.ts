import { openFileStore } from '../../shared/blob/file-store';
import type { ReadBody } from '../../shared/read-cache/read-cache';
import { Catalog } from '../../shared/repair/catalog';
import { TrackedBlobStore } from '../../shared/repair/tracked-store';

/** A node's store as the read cache sees it: a file store in `dir` behind the repair catalog. */
export async function trackedFileStore(dir: string): Promise<TrackedBlobStore> {
  const raw = await openFileStore(dir);
  const catalog = new Catalog('0', 3);
  await catalog.build(raw);
  return new TrackedBlobStore(raw, catalog);
}

/** A read's bytes, whether the cache answered a buffer or a stream. */
export async function drain(body: ReadBody | null): Promise<Buffer | null> {
  if (!body || Buffer.isBuffer(body)) return body;
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
