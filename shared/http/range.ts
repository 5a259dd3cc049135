import { StorageError } from '../errors';
import type { ByteRange } from '../blob/types';

/**
 * The single byte range of a `Range` header (RFC 9110 §14.1.2) resolved against `size`;
 * null means "send the whole file" (no header, a multi-range or a non-bytes unit).
 * An unsatisfiable range throws RANGE_NOT_SATISFIABLE (416).
 */
export function parseRange(header: string | undefined, size: number): Required<ByteRange> | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) throw unsatisfiable(header, size);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return null; // invalid: ignore it, as the RFC allows
  }
  if (start >= size || end < start) throw unsatisfiable(header, size);
  return { start, end };
}

function unsatisfiable(header: string, size: number): StorageError {
  return new StorageError('RANGE_NOT_SATISFIABLE', `Range ${header} is outside the ${size}-byte file`);
}
