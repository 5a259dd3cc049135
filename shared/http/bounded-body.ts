import { StorageError } from '../errors';

/**
 * The most a peer's JSON answer may hold (listings of 256 shards, `/storage/nodes`, …): a
 * hostile or broken peer must not make this node buffer without end. A real listing of 256
 * shards of a node with a million files is a few MB.
 */
export const MAX_PEER_JSON_BYTES = 64 * 1024 * 1024;

/**
 * Reads a fetch answer's body as JSON, refusing it (and cancelling the rest) once it passes
 * `maxBytes` — by its Content-Length before reading, or while streaming when it lies or sends
 * none. Time is the caller's: its abort signal covers the body too.
 */
export async function readBoundedJson<T>(
  response: Response,
  what: string,
  maxBytes = MAX_PEER_JSON_BYTES,
): Promise<T> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(what, maxBytes);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(what, maxBytes);
      }
      chunks.push(value);
    }
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
  } catch (cause) {
    throw new StorageError('STORAGE_UNAVAILABLE', `${what}: the answer is not JSON`, { cause });
  }
}

/** The first `maxBytes` of an (error) answer's body as text, for a message; the rest is dropped. */
export async function bodySnippet(response: Response, maxBytes = 200): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  try {
    const { value } = await reader.read();
    return value ? Buffer.from(value.subarray(0, maxBytes)).toString('utf8') : '';
  } catch {
    return '';
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

function tooLarge(what: string, maxBytes: number): StorageError {
  return new StorageError('STORAGE_UNAVAILABLE', `${what}: the answer is larger than ${maxBytes} bytes`);
}
