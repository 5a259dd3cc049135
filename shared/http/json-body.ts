import { Readable } from 'node:stream';
import { StorageError } from '../errors';

/**
 * The body of a route that takes JSON (or text): any other content type arrives as a raw
 * stream (shared/runtime/app.ts) and is refused with 415 — after the stream is drained, so the
 * client reads the refusal instead of a reset.
 */
export function jsonBody(body: unknown, what: string): unknown {
  if (body instanceof Readable) {
    body.resume();
    throw new StorageError(
      'UNSUPPORTED_MEDIA_TYPE',
      `${what} is a JSON body (content-type: application/json)`,
    );
  }
  return body;
}
