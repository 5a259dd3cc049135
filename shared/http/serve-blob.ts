import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BlobInfo } from '../blob/types';
import { isStorageError } from '../errors';
import type { ReadCache } from '../read-cache/read-cache';
import { parseRange } from './range';

const CONTENT_TYPES: Record<string, string> = {
  mp3: 'audio/mpeg',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
};

export function contentTypeOf(fileName: string, recorded?: string): string {
  return recorded || CONTENT_TYPES[fileName.split('.').pop() ?? ''] || 'application/octet-stream';
}

/**
 * Serves a stored file this node holds (DESIGN §5) through the read cache
 * (shared/read-cache/): ETag = the digest, Range/206/416, HEAD, If-None-Match/304, and
 * immutable caching — a name's bytes never change. Any read route uses it with a store key
 * (long-term, stream, internal, and routes that find the key another way, e.g. by CID);
 * access checks stay the route's, before this. Returns false when the node does not hold a
 * servable copy (absent, quarantined, or found rotten), so the route can redirect.
 */
export async function serveBlob(
  request: FastifyRequest,
  reply: FastifyReply,
  reads: ReadCache,
  key: string,
  /** Gated content (issue 11): browsers may cache it, shared caches must not. */
  options: { private?: boolean } = {},
): Promise<boolean> {
  const info = await reads.info(key);
  if (!info) return false;
  const fileName = key.slice(key.lastIndexOf('/') + 1);
  if (isCurrent(request.headers['if-none-match'], info)) {
    cacheHeaders(reply, info, fileName, options.private);
    await reply.status(304).send();
    return true;
  }
  let range;
  try {
    range = parseRange(request.headers.range, info.size);
  } catch (err) {
    if (isStorageError(err)) void reply.header('Content-Range', `bytes */${info.size}`);
    throw err;
  }
  const body = request.method === 'HEAD' ? null : await reads.body(key, info, range);
  if (request.method !== 'HEAD' && !body) return false;
  // Caching headers go on successful answers only: an error must never be cached for a year.
  cacheHeaders(reply, info, fileName, options.private);
  void reply.header('Content-Length', String(range ? range.end - range.start + 1 : info.size));
  if (range) void reply.status(206).header('Content-Range', `bytes ${range.start}-${range.end}/${info.size}`);
  // HEAD: an empty stream, since fastify's HEAD handling keeps our Content-Length for streams only.
  await reply.send(body ?? Readable.from([]));
  return true;
}

function etagOf(info: BlobInfo): string | undefined {
  return info.sha256 ? `"${info.sha256}"` : undefined;
}

function cacheHeaders(reply: FastifyReply, info: BlobInfo, fileName: string, isPrivate = false): void {
  const etag = etagOf(info);
  const scope = isPrivate ? 'private' : 'public';
  void reply
    .header('Accept-Ranges', 'bytes')
    .header('Cache-Control', `${scope}, max-age=31536000, immutable`);
  void reply.type(contentTypeOf(fileName, info.contentType));
  if (etag) void reply.header('ETag', etag);
}

/** If-None-Match (RFC 9110 §13.1.2): `*`, or a list of tags compared weakly. */
function isCurrent(header: string | undefined, info: BlobInfo): boolean {
  const etag = etagOf(info);
  if (!header || !etag) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
