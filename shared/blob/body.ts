import { addAbortSignal, pipeline, type Readable } from 'node:stream';
import { DigestStream } from './digest';
import type { BlobInfo } from './types';

/**
 * The put side shared by the cloud drivers: the caller's body runs through a DigestStream, and
 * the first error of the body or of the digest check is kept, because that is the one the
 * caller needs to see (not whatever the SDK reports while it tears its request down).
 */
export interface HashedBody {
  stream: DigestStream;
  digest: DigestStream;
  /** The body's own failure (or DIGEST_MISMATCH, or the abort), once there was one. */
  error(): unknown;
}

export function hashBody(
  body: Readable,
  expected: string | undefined,
  size: number | undefined,
  signal?: AbortSignal,
): HashedBody {
  const digest = new DigestStream(expected, size);
  let failure: unknown;
  if (signal) addAbortSignal(signal, body);
  pipeline(body, digest, (err) => {
    failure ??= err ?? undefined;
  });
  return { stream: digest, digest, error: () => failure };
}

export interface BodyHead {
  /** True when the whole body fitted: `chunks` is all of it and the digest is final. */
  ended: boolean;
  chunks: Buffer[];
  rest: AsyncIterator<Buffer>;
}

/**
 * Reads up to `limit` bytes without ending the stream (an early `break` from for-await would
 * destroy it), so a driver can pick a single request for small bodies and stream the rest.
 */
export async function readUpTo(stream: Readable, limit: number): Promise<BodyHead> {
  const rest = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let bytes = 0;
  while (bytes < limit) {
    const next = await rest.next();
    if (next.done) return { ended: true, chunks, rest };
    chunks.push(next.value);
    bytes += next.value.length;
  }
  return { ended: false, chunks, rest };
}

/** The chunks already read, then the rest of the body. */
export async function* resume(head: BodyHead): AsyncGenerator<Buffer> {
  yield* head.chunks;
  for (let next = await head.rest.next(); !next.done; next = await head.rest.next()) yield next.value;
}

/** What a cloud put wrote: the size and digest measured on the way in. */
export function writtenInfo(key: string, hashed: HashedBody, contentType: string | undefined): BlobInfo {
  return { key, size: hashed.digest.size, sha256: hashed.digest.sha256, contentType, modified: new Date() };
}
