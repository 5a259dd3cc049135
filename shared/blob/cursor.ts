import { StorageError } from '../errors';

/**
 * List cursors are the last key of the previous page (base64url), on every driver: a cursor is
 * then checkable (a foreign one is VALIDATION_FAILED, not a confusing backend error) and stays
 * valid across restarts and across drivers (S3 StartAfter, Azure and GCS start offsets).
 */
export function encodeCursor(key: string): string {
  return Buffer.from(key).toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString();
  if (cursor === '' || encodeCursor(key) !== cursor) {
    throw new StorageError(
      'VALIDATION_FAILED',
      `list cursor ${JSON.stringify(cursor)} was not made by this store`,
    );
  }
  return key;
}
