import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { ERRORS, type ErrorCode } from '../errors';
import { toErrorBody } from './http-errors';

/** Node's parser errors that have a code of ours; any other is MALFORMED_REQUEST. */
const PARSER_CODES: Record<string, ErrorCode> = {
  ERR_HTTP_REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  HPE_HEADER_OVERFLOW: 'HEADERS_TOO_LARGE',
};

/**
 * Answers a request Node's HTTP parser refused (broken request line or headers, smuggling
 * with both Content-Length and Transfer-Encoding, headers too large or too slow) with the
 * same JSON and stable code as every route (issue 15), then closes the connection: after a
 * parse error nothing more on it can be trusted. Fastify's default writes no `code`.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const code = PARSER_CODES[err.code ?? ''] ?? 'MALFORMED_REQUEST';
  const status = ERRORS[code].status;
  const body = JSON.stringify(toErrorBody({ statusCode: status, code, message: ERRORS[code].message }));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
