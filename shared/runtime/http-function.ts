import type { FastifyReply, FastifyRequest, FastifySchema, HTTPMethods } from 'fastify';
import { toLambda, type LambdaHandler } from './lambda';

/**
 * One HTTP route = one function (DESIGN §1). The module exports `route` (mounted by the
 * self-hosted runtime) and `handler` (the same route as an AWS Lambda).
 */
export interface HttpRoute {
  method: HTTPMethods;
  /** Fastify path form (`/storage/jobs/:id`); serverless.yml holds the `{id}` form. */
  url: string;
  schema?: FastifySchema;
  handle: (request: FastifyRequest<any>, reply: FastifyReply) => Promise<unknown>;
}

export function httpFunction(route: HttpRoute): { route: HttpRoute; handler: LambdaHandler } {
  return { route, handler: toLambda(route) };
}
