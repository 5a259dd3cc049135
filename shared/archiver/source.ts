import type { BlobInfo, BlobStore } from '../blob';
import { listAll } from './snapshots';

/** Copies repair set aside as corrupt (shared/repair/quarantine.ts): never worth keeping. */
const SKIPPED_PREFIXES = ['quarantine/'];

/** Every object of the node's store a backup keeps: its long-term blobs. */
export async function listSourceFiles(store: BlobStore, options: { details: boolean }): Promise<BlobInfo[]> {
  const files: BlobInfo[] = [];
  for await (const info of listAll(store, '', options)) {
    if (!SKIPPED_PREFIXES.some((p) => info.key.startsWith(p))) files.push(info);
  }
  return files;
}
