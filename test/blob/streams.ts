import { createHash, randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';

/**
 * Deterministic test content that never has to exist as one Buffer: chunk `i` of a pattern is a
 * pure function of (seed, i), so any byte range can be recomputed to check a ranged read.
 */
export const PATTERN_CHUNK = 64 * 1024;

function patternChunk(seed: number, index: number): Buffer {
  const words = new Uint32Array(PATTERN_CHUNK / 4);
  let x = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    // xorshift32: fast enough to generate 100 MB in well under a second.
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    words[i] = x;
  }
  return Buffer.from(words.buffer);
}

/** `size` bytes of pattern `seed`, streamed in 64 KiB chunks with backpressure. */
export function patternStream(size: number, seed: number): Readable {
  function* chunks(): Generator<Buffer> {
    for (let offset = 0, i = 0; offset < size; offset += PATTERN_CHUNK, i++) {
      const chunk = patternChunk(seed, i);
      yield offset + PATTERN_CHUNK <= size ? chunk : chunk.subarray(0, size - offset);
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}

/** Bytes `start`…`end` (inclusive) of pattern `seed`. */
export function patternBytes(seed: number, start: number, end: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = Math.floor(start / PATTERN_CHUNK); i * PATTERN_CHUNK <= end; i++) {
    const base = i * PATTERN_CHUNK;
    parts.push(
      patternChunk(seed, i).subarray(Math.max(0, start - base), Math.min(PATTERN_CHUNK, end - base + 1)),
    );
  }
  return Buffer.concat(parts);
}

export async function digestOf(stream: Readable): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, sha256: hash.digest('hex') };
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/** A body streamed in pieces of `piece` bytes, yielding to the event loop between them. */
export function trickle(bytes: Buffer, piece = 16 * 1024): Readable {
  async function* pieces(): AsyncGenerator<Buffer> {
    for (let i = 0; i < bytes.length; i += piece) {
      await new Promise((resolve) => setImmediate(resolve));
      yield bytes.subarray(i, i + piece);
    }
  }
  return Readable.from(pieces(), { objectMode: false });
}

/** A body that sends `head`, then waits for `release()` before sending `tail` and ending. */
export function gatedBody(head: Buffer, tail: Buffer): { body: Readable; release: () => void } {
  const body = new PassThrough();
  body.write(head);
  return {
    body,
    release: () => {
      body.end(tail);
    },
  };
}

/** A body that sends `bytes`, then fails with `error` instead of ending. */
export function failingBody(bytes: Buffer, error: Error): Readable {
  async function* pieces(): AsyncGenerator<Buffer> {
    yield bytes;
    await new Promise((resolve) => setImmediate(resolve));
    throw error;
  }
  return Readable.from(pieces(), { objectMode: false });
}

export function randomId(): string {
  return randomBytes(6).toString('hex');
}
