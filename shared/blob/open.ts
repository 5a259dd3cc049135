import { StorageError, describeError } from '../errors';
import type { BlobStore } from './types';
import { DEFAULT_STORAGE_URL, parseBlobUrl, type BlobUrl } from './url';

export interface OpenBlobStoreOptions {
  /** Where credentials and defaults are read from; `process.env` unless a test passes its own. */
  env?: NodeJS.ProcessEnv;
  /** Run the start-up check (reachable, writable, credentials); default true. */
  check?: boolean;
}

/**
 * Opens the store a `storage_driver_url` names (DESIGN §6) and, unless told not to, checks it,
 * so a misconfigured node stops at start-up with one line that says what is wrong.
 */
export async function openBlobStore(
  url: string = DEFAULT_STORAGE_URL,
  options: OpenBlobStoreOptions = {},
): Promise<BlobStore> {
  const env = options.env ?? process.env;
  const store = await createStore(parseBlobUrl(url, env), env);
  if (options.check === false) return store;
  try {
    await checkBlobStore(store);
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  return store;
}

/** The start-up check; whatever goes wrong comes out as a StorageError with a one-line message. */
export async function checkBlobStore(store: BlobStore): Promise<void> {
  try {
    await store.check();
  } catch (err) {
    throw oneLine(err, store.displayUrl);
  }
}

// Drivers load on demand: a file-store node never pays for three cloud SDKs at start-up.
async function createStore(parsed: BlobUrl, env: NodeJS.ProcessEnv): Promise<BlobStore> {
  switch (parsed.scheme) {
    case 'file': {
      const { openFileStore } = require('./file-store') as typeof import('./file-store');
      return openFileStore(parsed.root);
    }
    case 's3': {
      const { createS3Store } = require('./s3-store') as typeof import('./s3-store');
      return createS3Store(parsed, env);
    }
    case 'gcs': {
      const { createGcsStore } = require('./gcs-store') as typeof import('./gcs-store');
      return createGcsStore(parsed, env);
    }
    case 'azblob': {
      const { createAzureStore } = require('./azure-store') as typeof import('./azure-store');
      return createAzureStore(parsed, env);
    }
  }
}

function oneLine(err: unknown, displayUrl: string): StorageError {
  const flat = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();
  if (err instanceof StorageError) {
    return new StorageError(err.code, flat(err.message), {
      cause: err.cause ?? err,
      permanent: err.permanent,
    });
  }
  return new StorageError(
    'STORAGE_UNAVAILABLE',
    `blob store ${displayUrl}: check failed: ${flat(describeError(err))}`,
    {
      cause: err,
    },
  );
}
