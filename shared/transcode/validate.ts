import { StorageError } from '../errors';

/**
 * Upload ids are lower-case base36 (DESIGN §3) and end up in file names: anything else is a
 * caller bug, and a `/` or `..` would write outside workDir.
 */
export function assertId(id: string): void {
  if (!/^[0-9a-z]{1,64}$/.test(id)) {
    throw new StorageError(
      'BAD_ID',
      `id must be 1..64 lower-case base36 characters, got ${JSON.stringify(id)}`,
      {
        permanent: true,
      },
    );
  }
}
