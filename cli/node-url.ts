import { usageError } from './exit-codes';

/** `npm start`'s first node (README "Quick start"). */
export const DEFAULT_NODE_URL = 'http://127.0.0.1:9924';

/**
 * The node to talk to: `--node`, else `STORAGE_NODE_URL`, else the local default. Accepts
 * the forms people paste (`…:9924`, `…:9924/`, `…:9924/storage`) and returns the origin
 * plus any path prefix, without the `/storage` the routes add.
 */
export function resolveNodeUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const given = flag ?? (env.STORAGE_NODE_URL || undefined);
  const source = flag !== undefined ? '--node' : 'STORAGE_NODE_URL';
  if (given === undefined) return DEFAULT_NODE_URL;
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw usageError(`${source}: not a URL: ${JSON.stringify(given)} (e.g. http://127.0.0.1:9924)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usageError(`${source}: only http:// and https:// node URLs, not ${url.protocol}//`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw usageError(`${source}: give the node's base URL only, without a query, fragment or credentials`);
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/storage$/, '');
  return `${url.origin}${path}`;
}
