import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ObjectInfo, ObjectStore } from '@nats-io/obj';
import { isStorageError, StorageError } from '../errors';
import type { Nats } from './connection';
import { putObject } from './object-put';
import { retryNats } from './retry';
import { forgetTempFill } from './temp-space';

/** The README's `options.max_chunk_size` (JetStream's default chunk). */
export const TEMP_CHUNK_BYTES = 128 * 1024;

/** JetStream's digest form: `SHA-256=` + URL-safe base64 with padding. */
export function jetStreamDigest(hexSha256: string): string {
  return 'SHA-256=' + Buffer.from(hexSha256, 'hex').toString('base64url').padEnd(44, '=');
}

export async function openTempStore(nats: Nats, bucket: string): Promise<ObjectStore> {
  return retryNats(nats.retry, `open ${bucket}`, () => nats.objm.open(bucket));
}

/**
 * Streams `body` into the temp object store under `name` (never buffering it whole) and
 * returns the store's info with the hex SHA-256 we computed ourselves on the way in.
 */
export async function putTempObject(
  nats: Nats,
  bucket: string,
  meta: { name: string; description?: string },
  body: Readable,
): Promise<{ info: ObjectInfo; sha256: string }> {
  const store = await openTempStore(nats, bucket);
  try {
    return await putObject(nats, store, bucket, { ...meta, maxChunkBytes: TEMP_CHUNK_BYTES }, body);
  } catch (err) {
    if (isStorageError(err) && err.code === 'JETSTREAM_FULL') {
      forgetTempFill(nats);
      throw new StorageError('TEMP_STORE_FULL', `${bucket} is full: ${err.message}`, { cause: err });
    }
    throw err;
  }
}

/**
 * Reads an object as a stream, verifying its SHA-256 ourselves (DESIGN §9: the client's own
 * check was a no-op before 3.3.1). Chunks come through an ordered pull consumer on the
 * chunk subject, which avoids the client's stalling push-based get (nats.js #430).
 * `null` when the object does not exist.
 */
export async function readTempObject(
  nats: Nats,
  bucket: string,
  name: string,
  expectedSha256?: string,
  /** No chunk for this long means the object is gone (tests shorten it). */
  idleMs = CHUNK_IDLE_MS,
): Promise<{ info: ObjectInfo; body: Readable } | null> {
  const store = await openTempStore(nats, bucket);
  const info = await retryNats(nats.retry, `read ${bucket}/${name}`, () => store.info(name));
  if (!info || info.deleted) return null;
  return { info, body: Readable.from(chunks(nats, info, idleMs, expectedSha256)) };
}

async function* chunks(
  nats: Nats,
  info: ObjectInfo,
  idleMs: number,
  expectedSha256?: string,
): AsyncGenerator<Uint8Array> {
  const hash = createHash('sha256');
  let received = 0;
  const source =
    info.chunks === 0
      ? []
      : info.chunks <= DIRECT_READ_MAX_CHUNKS
        ? directChunks(nats, info)
        : consumedChunks(nats, info, idleMs);
  for await (const data of source) {
    hash.update(data);
    received += 1;
    yield data;
  }
  const hex = hash.digest('hex');
  if (
    received !== info.chunks ||
    jetStreamDigest(hex) !== info.digest ||
    (expectedSha256 && hex !== expectedSha256)
  ) {
    throw new StorageError('INTERNAL', `temp object ${info.bucket}/${info.name} failed its digest check`);
  }
}

/**
 * Objects of up to this many chunks (1 MiB: every image result, short audio) are read with one
 * direct get per chunk. A consumer per read costs JetStream a consumer made and deleted through
 * its meta leader; with every storer reading every result that was most of JetStream's work
 * in the chaos suite, and its API answered slowly while leaders were elected.
 */
const DIRECT_READ_MAX_CHUNKS = 8;

/** A chunk a direct get did not find is looked for this many times before it counts as gone. */
const DIRECT_MISS_LOOKS = 5;
const DIRECT_MISS_PAUSE_MS = 200;

/** The chunks in order, each the next message on the object's chunk subject (any replica answers). */
async function* directChunks(nats: Nats, info: ObjectInfo): AsyncGenerator<Uint8Array> {
  const stream = `OBJ_${info.bucket}`;
  const subject = `$O.${info.bucket}.C.${info.nuid}`;
  let seq = 0;
  const get = () =>
    retryNats(nats.retry, `read ${info.bucket}/${info.name}`, () =>
      nats.jsm.direct.getMessage(stream, { next_by_subj: subject, seq }),
    );
  for (let i = 0; i < info.chunks; i++) {
    let msg = await get();
    // Any replica answers a direct get, and a put returns once a majority has it: the third
    // may not have the chunk yet. A few looks, a moment apart, reach a caught-up replica.
    for (let look = 1; !msg && look < DIRECT_MISS_LOOKS; look++) {
      await sleep(DIRECT_MISS_PAUSE_MS);
      msg = await get();
    }
    if (!msg)
      throw new StorageError(
        'STORAGE_UNAVAILABLE',
        `temp object ${info.bucket}/${info.name}: chunk ${i + 1} of ${info.chunks} is gone (expired or replaced mid-read)`,
      );
    seq = msg.seq + 1;
    yield msg.data;
  }
}

/** The chunks in order through an ordered pull consumer: larger objects, streamed. */
async function* consumedChunks(nats: Nats, info: ObjectInfo, idleMs: number): AsyncGenerator<Uint8Array> {
  const consumer = await retryNats(nats.retry, `read ${info.bucket}/${info.name}`, () =>
    nats.js.consumers.get(`OBJ_${info.bucket}`, {
      // A single subject as a string: servers before 2.10 know only `filter_subject`.
      filter_subjects: `$O.${info.bucket}.C.${info.nuid}`,
    }),
  );
  // Short pulls: the client's heartbeat check is half a pull's life, and two missed beats
  // make an ordered consumer recreate itself. With the default 30 s pull, a read whose
  // consumer lived on a NATS server that died waited out the whole idle limit (30 s) and
  // failed; with 5 s it moves on from the next server within about 5 s.
  const messages = await consumer.consume({ max_messages: 64, expires: 5_000 });
  const next = messages[Symbol.asyncIterator]();
  let abandoned = false;
  try {
    for (let received = 0; received < info.chunks; received++) {
      // Chunks purged mid-read (the object expired or was replaced) would never arrive, nor
      // would they from an ordered consumer that keeps failing to recreate itself while
      // JetStream elects leaders after a server's death.
      const item = await withinIdleLimit(
        next.next(),
        `temp object ${info.bucket}/${info.name}`,
        idleMs,
      ).catch((err: unknown) => {
        abandoned = true;
        throw err;
      });
      if (item.done) break;
      yield item.value.data;
    }
  } finally {
    // A next() the idle limit gave up on still waits for a message, and return() waits behind
    // it: the iterator's stop() is that message (without it this finally never ended, and the
    // job's attempt hung with its worker alive: issue 15's stuck job). Otherwise the iteration
    // ends first, as close() waits for the iterator to finish.
    if (abandoned) messages.stop();
    await next.return?.(undefined);
    await messages.close().catch(() => undefined);
    await consumer.delete().catch(() => undefined);
  }
}

/** No chunk for this long means the object is gone. */
const CHUNK_IDLE_MS = 30_000;

async function withinIdleLimit<T>(pending: Promise<T>, what: string, idleMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const idle = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new StorageError('STORAGE_UNAVAILABLE', `${what}: no data for ${idleMs / 1000} s`)),
      idleMs,
    );
  });
  try {
    return await Promise.race([pending, idle]);
  } finally {
    clearTimeout(timer);
  }
}

export async function deleteTempObject(nats: Nats, bucket: string, name: string): Promise<void> {
  const store = await openTempStore(nats, bucket);
  await store.delete(name).catch(() => undefined);
}
