import fs from 'node:fs/promises';
import path from 'node:path';
import { assertValidPrefix, openBlobStore, parseBlobUrl, type BlobStore } from '../blob';
import { FileBlobStore } from '../blob/file-store';
import { isStorageError } from '../errors';
import { ArchiverError } from './errors';

/**
 * The two stores an archiver run touches: the archive (any blob URL, optionally with a folder
 * inside the bucket, `s3://bucket/backups/node1?region=…`) and the node's long-term store.
 */
export interface Archive {
  store: BlobStore;
  /** Key prefix inside the store, `''` or ending with `/`. */
  root: string;
  /** What to show in lines and summaries (no secrets: the drivers refuse them in URLs). */
  display: string;
}

/** Splits an archive URL into the store URL the drivers take and the folder inside it. */
export function parseArchiveUrl(text: string, env: NodeJS.ProcessEnv): { storeUrl: string; root: string } {
  if (!text) throw new ArchiverError('usage', 'no archive given: pass --archive <url> (or set ARCHIVE_URL)');
  if (!URL.canParse(text))
    throw new ArchiverError(
      'usage',
      `archive ${JSON.stringify(text)} is not a URL (file:///dir, s3://bucket/prefix?region=…, gcs://bucket/prefix, azblob://container/prefix)`,
    );
  const url = new URL(text);
  let root = '';
  // file:// paths are the directory; for buckets the path is a folder inside the bucket.
  if (url.protocol !== 'file:' && url.pathname !== '' && url.pathname !== '/') {
    root = decodeURIComponent(url.pathname.replace(/^\/+/, '').replace(/\/*$/, '/'));
    url.pathname = '';
  }
  const storeUrl = url.toString().replace(/^([a-z0-9]+:\/\/[^/?]+)\/(\?|$)/, '$1$2');
  usage(() => parseBlobUrl(storeUrl, env), 'archive');
  usage(() => assertValidPrefix(root), 'archive');
  return { storeUrl, root };
}

export async function openArchive(text: string, env: NodeJS.ProcessEnv): Promise<Archive> {
  const { storeUrl, root } = parseArchiveUrl(text, env);
  const store = await openBlobStore(storeUrl, { env });
  return { store, root, display: root ? `${store.displayUrl} (folder ${root})` : store.displayUrl };
}

/**
 * The node's store. A file store is opened without the driver's start-up sweep of temp files:
 * the node may be running and writing there, and the sweep would fail its in-flight writes.
 */
export async function openNodeStore(
  text: string,
  env: NodeJS.ProcessEnv,
  writable: boolean,
): Promise<BlobStore> {
  const parsed = usage(() => parseBlobUrl(text, env), 'store');
  if (parsed.scheme !== 'file') return openBlobStore(text, { env });
  const exists = await fs.stat(parsed.root).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!exists && !writable)
    throw new ArchiverError('unreachable', `store ${text}: no such directory ${parsed.root}`);
  if (writable) {
    // The driver's own temp and metadata folders (shared/blob/file-store.ts).
    for (const dir of ['.blob-tmp', '.blob-meta'])
      await fs.mkdir(path.join(parsed.root, dir), { recursive: true });
  }
  const store = new FileBlobStore(parsed.root);
  if (writable) await store.check();
  return store;
}

/** A malformed URL is a usage error (exit 2), not an unreachable store. */
function usage<T>(fn: () => T, what: string): T {
  try {
    return fn();
  } catch (err) {
    if (isStorageError(err)) throw new ArchiverError('usage', `${what}: ${err.message}`, { cause: err });
    throw err;
  }
}
