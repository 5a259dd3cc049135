import awsLambdaFastify from '@fastify/aws-lambda';
import type { Context } from 'aws-lambda';
import type { FastifyInstance } from 'fastify';
import { createApp, mountRoute } from './app';
import type { HttpRoute } from './http-function';
import { setServicesFactory } from './services';
import { servicesFromEnv } from './build-services';

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * The route as a standalone AWS Lambda (API Gateway HTTP API payload v2). Built on first
 * invocation so importing a function module for the self-hosted runtime costs nothing.
 * Lambda bodies are buffered by API Gateway (10 MB cap): large uploads belong on the
 * self-hosted runtime (DESIGN §9).
 */
export function toLambda(route: HttpRoute): LambdaHandler {
  let proxy: ((event: unknown, context: Context) => Promise<unknown>) | undefined;
  return async (event, context) => {
    if (!proxy) {
      setServicesFactory(servicesFromEnv);
      const app: FastifyInstance = createApp();
      mountRoute(app, route);
      await app.ready();
      proxy = awsLambdaFastify(app, { enforceBase64: (res) => isBinary(res.headers['content-type']) });
    }
    return proxy(event, context);
  };
}

/** Everything but text and JSON goes back base64-encoded, as API Gateway needs for bytes. */
function isBinary(contentType: unknown): boolean {
  const type = String(contentType ?? '');
  return type !== '' && !/^(text\/|application\/json|application\/javascript)/.test(type);
}
