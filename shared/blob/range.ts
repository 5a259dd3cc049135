import { StorageError } from '../errors';
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
