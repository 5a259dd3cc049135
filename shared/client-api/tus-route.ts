import type { HTTPMethods } from 'fastify';
import { describeError } from '../errors';
import { toErrorBody } from '../runtime/http-errors';
import { httpFunction } from '../runtime/http-function';
import { services } from '../runtime/services';
import { handleTus } from './tus';

/**
 * One tus route (creation, PATCH, HEAD, DELETE, OPTIONS): @tus/server answers on the raw
 * request, so the reply is hijacked and the body is never parsed. Self-hosted runtime only:
 * API Gateway's 10 MB bodies cannot carry 100 MB tus chunks (DESIGN §9).
 */
export function tusRoute(method: HTTPMethods, url: string) {
  return httpFunction({
    method,
    url,
    async handle(request, reply) {
      const s = await services();
      reply.hijack();
      try {
        await handleTus(s, request.raw, reply.raw);
      } catch (err) {
        s.log.error({ err: describeError(err), url: request.url }, 'tus request failed');
        if (reply.raw.headersSent) return void reply.raw.destroy();
        const body = toErrorBody(err);
        reply.raw.writeHead(body.statusCode, { 'Content-Type': 'application/json' });
        reply.raw.end(JSON.stringify(body));
      }
    },
  });
}
