/**
 * Blob storage (DESIGN §6): one BlobStore contract, one driver per `storage_driver_url` scheme.
 * Import from here; the drivers load on demand from `openBlobStore`.
 */
export type {
  BlobAbilities,
  BlobInfo,
  BlobRead,
  BlobStore,
  ByteRange,
  GetOptions,
  ListOptions,
  ListPage,
  PutOptions,
} from './types';
export { openBlobStore, checkBlobStore, type OpenBlobStoreOptions } from './open';
export { DEFAULT_STORAGE_URL, parseBlobUrl, displayUrl, type BlobUrl } from './url';
export { BLOB_ENV, BLOB_ENV_NAMES } from './env';
export { assertValidKey, assertValidPrefix, RESERVED_PREFIX } from './keys';
