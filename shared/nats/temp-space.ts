import { StorageError } from '../errors';
import type { Nats } from './connection';
import { BUCKETS } from './names';
import { retryNats } from './retry';

/**
 * New uploads may fill a temp store to this share of its limit; the rest is kept for the
 * transcode results of uploads already accepted (they go to the same store), so an accepted
 * upload is not failed later for want of room.
 */
export const UPLOAD_SHARE = 0.8;
/** How long a look at the stores' fill is reused: one info request per store per second. */
const FRESH_MS = 1000;

interface Fill {
  bucket: string;
  bytes: number;
  maxBytes: number;
}

const cache = new WeakMap<Nats, { at: number; fills: Promise<Fill[]> }>();

/**
 * A temp store with room for a new upload, chosen at random among those below UPLOAD_SHARE
 * of their limit; `TEMP_STORE_FULL` (507) when none is. Room comes back by itself as objects
 * reach the store's TTL (AUDIUS_TEMP_TTL_HOURS).
 */
export async function pickTempBucket(nats: Nats, tempBuckets: number): Promise<string> {
  const fills = await currentFills(nats, tempBuckets);
  const open = fills.filter((f) => f.maxBytes <= 0 || f.bytes < f.maxBytes * UPLOAD_SHARE);
  if (open.length === 0) {
    const used = fills.reduce((n, f) => n + f.bytes, 0);
    const limit = fills.reduce((n, f) => n + f.maxBytes, 0);
    throw new StorageError(
      'TEMP_STORE_FULL',
      `The temp stores hold ${used} of ${limit} bytes (uploads stop at ${UPLOAD_SHARE * 100} %); try again later`,
    );
  }
  return open[Math.floor(Math.random() * open.length)].bucket;
}

/** Forget the last look (after a write was refused for want of room). */
export function forgetTempFill(nats: Nats): void {
  cache.delete(nats);
}

function currentFills(nats: Nats, tempBuckets: number): Promise<Fill[]> {
  const hit = cache.get(nats);
  if (hit && Date.now() - hit.at < FRESH_MS) return hit.fills;
  const fills = Promise.all(
    Array.from({ length: tempBuckets }, async (_, k) => {
      const bucket = BUCKETS.temp(k);
      const info = await retryNats(nats.retry, `look at ${bucket}`, () =>
        nats.jsm.streams.info(`OBJ_${bucket}`),
      );
      return { bucket, bytes: info.state.bytes, maxBytes: info.config.max_bytes };
    }),
  );
  cache.set(nats, { at: Date.now(), fills });
  fills.catch(() => cache.delete(nats));
  return fills;
}
