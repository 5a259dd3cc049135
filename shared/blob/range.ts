import { StorageError } from '../errors';
import type { Readable } from 'node:stream';
import type { ByteRange } from './types';

/** An inclusive byte range resolved against an object's size. */
export interface ResolvedRange {
  start: number;
  end: number;
}

/** Throws VALIDATION_FAILED for a malformed range (negative, fractional, end before start). */
export function assertValidRange(range: ByteRange): void {
  const { start, end } = range;
  const ok =
    Number.isSafeInteger(start) &&
    start >= 0 &&
    (end === undefined || (Number.isSafeInteger(end) && end >= start));
  if (!ok) throw new StorageError('VALIDATION_FAILED', `invalid byte range ${JSON.stringify(range)}`);
}

/**
 * HTTP semantics (RFC 9110 §14.1.2): an end past the last byte is clamped; a start at or past
 * the size is not satisfiable, which makes every range of an empty object unsatisfiable.
 */
export function resolveRange(range: ByteRange, size: number, key: string): ResolvedRange {
  assertValidRange(range);
  if (range.start >= size) {
    throw new StorageError(
      'RANGE_NOT_SATISFIABLE',
      `range starting at byte ${range.start} is outside ${JSON.stringify(key)} (${size} bytes)`,
    );
  }
  return { start: range.start, end: Math.min(range.end ?? size - 1, size - 1) };
}

/** The `Range` header value of a validated range. */
export function rangeHeader(range: ByteRange): string {
  return `bytes=${range.start}-${range.end ?? ''}`;
}

/** What a server says it sent (`Content-Range: bytes <start>-<end>/<size>`). */
export interface ServedRange {
  start: number;
  end: number;
  size: number;
}

export function parseContentRange(header: string | undefined): ServedRange | undefined {
  const m = header ? /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header) : null;
  return m ? { start: Number(m[1]), end: Number(m[2]), size: Number(m[3]) } : undefined;
}

/**
 * Never hand out bytes other than the ones asked for: some S3-compatible servers answer a
 * range of an empty object with 206 instead of 416, or read `bytes=0-0` as the whole object.
 * On a mismatch the body is destroyed and the read fails.
 */
export function checkServedRange(
  driver: string,
  key: string,
  asked: ByteRange,
  served: ServedRange | undefined,
  size: number,
  body: Readable,
): void {
  if (!served || asked.start >= size) {
    body.destroy();
    throw new StorageError(
      'RANGE_NOT_SATISFIABLE',
      `range starting at byte ${asked.start} is outside ${JSON.stringify(key)} (${size} bytes)`,
    );
  }
  const end = Math.min(asked.end ?? size - 1, size - 1);
  if (served.start !== asked.start || served.end !== end) {
    body.destroy();
    throw new StorageError(
      'STORAGE_UNAVAILABLE',
      `${driver} get ${key}: asked for bytes ${asked.start}-${end}, the server sent ${served.start}-${served.end}`,
    );
  }
}
