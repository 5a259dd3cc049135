import fs from 'node:fs';
import path from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { StorageError } from '../errors';
import { PROJECT_ROOT } from '../paths';

/**
 * The web UI's server side: its pages and assets are built from web/ into dist/web/
 * (`npm run build`, scripts/build-web.js), never committed.
 */
export const WEB_ROOT = path.join(PROJECT_ROOT, 'dist', 'web');

export const PAGES = { dashboard: 'dashboard.html', weather: 'weather.html' } as const;
export type PageName = keyof typeof PAGES;

/**
 * Nothing outside the cluster: scripts, styles and API calls from this node only, plus the
 * object store a presigned upload PUTs to (`connectTo`, the dashboard's slots). Media may
 * come from another node (a long-term read answers 302 to a holder), so img and media allow
 * any http(s) origin.
 */
function csp(connectTo: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    ["connect-src 'self'", ...connectTo].join(' '),
    'img-src * data: blob:',
    'media-src * blob:',
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
} as const;

const CONTENT_TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  map: 'application/json; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
  woff2: 'font/woff2',
};

/** One path segment, dot-separated words, a known extension: nothing to traverse with. */
const ASSET_NAME = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.([a-z0-9]+)$/;
/** esbuild's `[name]-[hash]` names: their bytes never change. */
const HASHED = /-[A-Z0-9]{8}\.[a-z0-9]+$/;

export async function sendPage(
  reply: FastifyReply,
  page: PageName,
  connectTo: readonly string[] = [],
): Promise<FastifyReply> {
  let html: Buffer;
  try {
    html = await fs.promises.readFile(path.join(WEB_ROOT, PAGES[page]));
  } catch (cause) {
    throw new StorageError('NOT_FOUND', 'The web UI is not built on this node (run npm run build)', {
      cause,
    });
  }
  return reply
    .type('text/html; charset=utf-8')
    .headers({ ...SECURITY_HEADERS, 'Content-Security-Policy': csp(connectTo), 'Cache-Control': 'no-cache' })
    .send(html);
}

/**
 * The page a greedy route (`/storage/*`) serves when the rest of the path is empty
 * (`/storage/`); anything else under it is a route that does not exist.
 */
export function wildcardPage(request: FastifyRequest, page: PageName): PageName {
  const rest = (request.params as { '*'?: string })['*'] ?? '';
  if (rest !== '') {
    throw new StorageError('ROUTE_NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`);
  }
  return page;
}

export async function sendAsset(reply: FastifyReply, name: string): Promise<FastifyReply> {
  const ext = ASSET_NAME.exec(name)?.[1];
  const type = ext ? CONTENT_TYPES[ext] : undefined;
  if (!type) throw new StorageError('NOT_FOUND', `No asset ${name}`);
  const file = path.join(WEB_ROOT, 'assets', name);
  const stat = await fs.promises.stat(file).catch(() => null);
  if (!stat?.isFile()) throw new StorageError('NOT_FOUND', `No asset ${name}`);
  return reply
    .type(type)
    .headers({
      'X-Content-Type-Options': 'nosniff',
      'Content-Length': String(stat.size),
      'Cache-Control': HASHED.test(name) ? 'public, max-age=31536000, immutable' : 'no-cache',
    })
    .send(fs.createReadStream(file));
}
