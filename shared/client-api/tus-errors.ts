import { ERRORS, isStorageError, StorageError, type ErrorCode } from '../errors';
import { toErrorBody } from '../runtime/http-errors';

/** tus's own refusals (plain text) under codes of ours, so every answer is our JSON error body. */
const TUS_STATUS_CODES: Record<number, ErrorCode> = {
  400: 'TUS_BAD_REQUEST',
  403: 'TUS_BAD_REQUEST',
  404: 'UPLOAD_NOT_FOUND',
  409: 'TUS_OFFSET_CONFLICT',
  410: 'UPLOAD_NOT_FOUND',
  412: 'TUS_BAD_REQUEST',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'TUS_BAD_REQUEST',
  460: 'TUS_BAD_REQUEST',
};

export function tusError(err: unknown): { status_code: number; body: string } {
  if (isJsonTusError(err)) return err;
  let storageError: StorageError | undefined;
  if (isStorageError(err)) storageError = err;
  else if (isTusError(err)) {
    const code = TUS_STATUS_CODES[err.status_code];
    if (!code) return { status_code: err.status_code, body: err.body };
    storageError = new StorageError(code, err.body.trim() || ERRORS[code].message);
  }
  const body = toErrorBody(storageError ?? err);
  return { status_code: body.statusCode, body: JSON.stringify(body) };
}

function isTusError(err: unknown): err is { status_code: number; body: string } {
  const e = err as { status_code?: unknown; body?: unknown } | null;
  return typeof e?.status_code === 'number' && typeof e.body === 'string';
}

function isJsonTusError(err: unknown): err is { status_code: number; body: string } {
  return isTusError(err) && err.body.startsWith('{"statusCode"');
}

/**
 * @tus/server answers a few refusals itself, past `onResponseError` (server.js: a missing
 * Tus-Resumable, 412; a malformed tus header or a PATCH's Content-Type, 400 "Invalid …"), in
 * plain text. Its request handler is wrapped so that those answers too carry our JSON error
 * body under our codes; every other answer passes untouched.
 */
export function asJsonErrors(server: { handler(req: Request): Promise<Response> }): void {
  const handler = server.handler.bind(server);
  server.handler = async (req) => {
    const res = await handler(req);
    if (res.status < 400 || res.headers.get('content-type') === 'application/json') return res;
    const mapped = tusError({ status_code: res.status, body: await res.text() });
    const headers = new Headers(res.headers);
    headers.set('Content-Type', 'application/json');
    headers.set('Content-Length', String(Buffer.byteLength(mapped.body)));
    return new Response(mapped.body, { status: mapped.status_code, headers });
  };
}
