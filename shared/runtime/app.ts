import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from '../log';
import { answerClientError } from './client-errors';
import { installErrorHandling, toErrorBody } from './http-errors';
import type { HttpRoute } from './http-function';
import { httpRequests } from '../metrics';

/** Bodies that reach handlers as the raw stream: uploads are never buffered (DESIGN §4). */
const STREAMED_TYPES = ['multipart/form-data', 'application/octet-stream'];

/** Server time limits (issue 15: a client must not hold a connection forever), ms. */
export interface ServerTimeouts {
  /** A whole request, body included. */
  requestMs: number;
  /** The request line and headers. */
  headersMs: number;
  /** A socket with no traffic either way. */
  idleMs: number;
}

/** The fastify app every HTTP function runs in, self-hosted or as a Lambda. */
export function createApp(options: { logger?: Logger; timeouts?: ServerTimeouts } = {}): FastifyInstance {
  const t = options.timeouts;
  const app = Fastify({
    ...(t
      ? {
          requestTimeout: t.requestMs,
          connectionTimeout: t.idleMs,
          http: {
            // Node wants headersTimeout ≤ requestTimeout; a slow-loris header trickle is cut here.
            headersTimeout: Math.min(t.headersMs, t.requestMs),
            // Both limits are only checked this often (Node's default is 30 s).
            connectionsCheckingInterval: Math.min(1000, t.headersMs),
          },
        }
      : {}),
    loggerInstance: options.logger as any,
    // One line per request would drown the cluster log; errors are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    // The temp-store upload limit is enforced while streaming; this only bounds JSON bodies.
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    clientErrorHandler: answerClientError,
    // Errors fastify raises before routing (a URL that is not UTF-8) get our JSON and code too.
    frameworkErrors: (err, _request, reply) => {
      const out = toErrorBody(err);
      void reply.raw
        .writeHead(out.statusCode, {
          'content-type': 'application/json',
          'x-content-type-options': 'nosniff',
        })
        .end(JSON.stringify(out));
    },
    // At shutdown idle keep-alive connections close at once; requests in flight finish.
    forceCloseConnections: 'idle',
  });
  installErrorHandling(app);
  // Browsers must take every answer as its declared type (issue 15): an upload sniffed as HTML
  // would otherwise run as a page of this node.
  app.addHook('onRequest', async (_request, reply) => {
    void reply.header('X-Content-Type-Options', 'nosniff');
  });
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, not the URL: one series per route, whatever the ids.
    const route = request.routeOptions.url ?? 'unmatched';
    httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
  });
  for (const type of STREAMED_TYPES) {
    app.addContentTypeParser(type, (_request, payload, done) => done(null, payload));
  }
  // Anything else also arrives as a stream, so the route can answer with its own code
  // (e.g. NOT_MULTIPART) instead of fastify's generic 415.
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  return app;
}

export function mountRoute(app: FastifyInstance, route: HttpRoute): void {
  app.route({ method: route.method, url: route.url, schema: route.schema, handler: route.handle });
}
