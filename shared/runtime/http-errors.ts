import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance } from 'fastify';
import { ERRORS, retryAfterSeconds, type ErrorCode } from '../errors';
import { natsFaultError } from '../nats/faults';

export interface ErrorBody {
  statusCode: number;
  code: string;
  error: string;
  message: string;
}

/** Fastify's own errors that have a code of ours (everything else keeps its status). */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_VALIDATION: 'VALIDATION_FAILED',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'VALIDATION_FAILED',
  FST_ERR_CTP_INVALID_JSON_BODY: 'VALIDATION_FAILED',
  // A URL whose percent-encoding is not UTF-8 (e.g. overlong `%c0%ae`).
  FST_ERR_BAD_URL: 'MALFORMED_REQUEST',
};

/**
 * The one mapping from a thrown error to the JSON body every route answers (STYLE §5). A NATS
 * fault that reached the edge unwrapped is still named (503 NATS_UNAVAILABLE, 507
 * JETSTREAM_FULL; shared/nats/faults.ts): only an error nobody can name is a 500.
 */
export function toErrorBody(err: unknown): ErrorBody {
  const named = natsFaultError(err);
  if (named) return body(named.statusCode, named.code, named.message);
  const fe = err as Partial<FastifyError>;
  const mapped = fe.code ? FASTIFY_CODES[fe.code] : undefined;
  if (mapped) return body(ERRORS[mapped].status, mapped, fe.message ?? ERRORS[mapped].message);
  const status = fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500 ? fe.statusCode : 500;
  if (status === 500) return body(500, 'INTERNAL', ERRORS.INTERNAL.message);
  return body(status, fe.code ?? 'BAD_REQUEST', fe.message ?? STATUS_CODES[status] ?? 'Error');
}

function body(statusCode: number, code: string, message: string): ErrorBody {
  return { statusCode, code, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const out = toErrorBody(err);
    if (out.statusCode >= 500) request.log.error({ err }, 'request failed');
    // A streamed reply that already sent headers cannot turn into JSON: just end it.
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.destroy(err as Error);
      return;
    }
    // A body we stopped reading (cut for slowness) must not be parsed as the next request.
    if (out.statusCode === 408) void reply.header('connection', 'close');
    const retryAfter = retryAfterSeconds(out.code);
    if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
    void reply.status(out.statusCode).type('application/json').send(out);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(
      toErrorBody({
        statusCode: 404,
        code: 'ROUTE_NOT_FOUND',
        message: `No route ${request.method} ${request.url.split('?')[0]}`,
      }),
    );
  });
}
