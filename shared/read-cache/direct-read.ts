import fs from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { StorageError } from '../errors';

/**
 * Bytes `range` (inclusive) of a local file: one read into a buffer when it fits in
 * `chunkBytes` (a player's seek: open, read, close — no stream machinery), else a stream of
 * `chunkBytes` reads. null when the file is gone. Ranges are not verified (no digest covers
 * part of a file); the scrub re-hashes stored copies.
 */
export async function readFileRange(
  file: string,
  range: { start: number; end: number },
  chunkBytes: number,
): Promise<Buffer | Readable | null> {
  const handle = await fs.open(file, 'r').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null;
    throw new StorageError('STORAGE_UNAVAILABLE', `read ${file}: ${err.code ?? String(err)}`, { cause: err });
  });
  if (!handle) return null;
  const length = range.end - range.start + 1;
  if (length > chunkBytes) {
    return handle.createReadStream({
      start: range.start,
      end: range.end,
      highWaterMark: chunkBytes,
      autoClose: true,
    });
  }
  try {
    const buffer = Buffer.allocUnsafeSlow(length);
    const { bytesRead } = await handle.read(buffer, 0, length, range.start);
    if (bytesRead !== length)
      throw new StorageError('STORAGE_UNAVAILABLE', `${file} is shorter than its recorded size; try again`);
    return buffer;
  } finally {
    void handle.close().catch(() => undefined);
  }
}
