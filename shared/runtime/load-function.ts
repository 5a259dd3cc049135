import path from 'node:path';
import { CODE_ROOT } from '../paths';
import type { FunctionSpec } from './manifest';
import { toFastifyPath } from './manifest';
import type { HttpRoute } from './http-function';

/** The module behind a function spec, from the sources (tests) or `dist/` (compiled). */
export function loadFunctionModule(spec: FunctionSpec): Record<string, unknown> {
  return require(path.join(CODE_ROOT, spec.module)) as Record<string, unknown>;
}

export function exportedHandler<T>(spec: FunctionSpec): T {
  const handler = loadFunctionModule(spec)[spec.exportName];
  if (typeof handler !== 'function')
    throw new Error(`${spec.name}: ${spec.module} has no ${spec.exportName}()`);
  return handler as T;
}

/**
 * The route an HTTP function mounts. serverless.yml and the module must agree on method and
 * path: a drift between the two is a start-up error, not a silent 404 on AWS.
 */
export function httpRouteOf(spec: FunctionSpec): HttpRoute {
  const route = loadFunctionModule(spec).route as HttpRoute | undefined;
  if (!route) throw new Error(`${spec.name}: ${spec.module} exports no route`);
  for (const trigger of spec.http) {
    if (trigger.method !== route.method || toFastifyPath(trigger.path) !== route.url) {
      throw new Error(
        `${spec.name}: serverless.yml says ${trigger.method} ${trigger.path}, the module says ${route.method} ${route.url}`,
      );
    }
  }
  return route;
}
