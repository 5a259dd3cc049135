import { StorageError } from '../errors';
import type { BlobStore } from './types';
import type { GcsUrl } from './url';

/** Placeholder while the driver is being written: fails at start-up with one clear line. */
export async function createGcsStore(url: GcsUrl, _env: NodeJS.ProcessEnv): Promise<BlobStore> {
  throw new StorageError(
    'BAD_CONFIG',
    `storage_driver_url: the ${url.scheme} driver is not available in this build yet`,
  );
}
