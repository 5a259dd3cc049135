import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BlobInfo, BlobStore } from '../blob/types';
import { isStorageError } from '../errors';
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
 * Serves a long-term file this node holds (DESIGN §5): ETag = the digest, Range/206/416,
 * HEAD, If-None-Match/304, and immutable caching — a name's bytes never change. Returns
 * false when the node does not hold it. A plain GET opens the blob once (bench/serve.ts:
 * a separate head() doubled the cost of small files); ranges and HEAD look first.
 */
export async function serveBlob(
  request: FastifyRequest,
  reply: FastifyReply,
  blob: BlobStore,
  key: string,
  fileName: string,
  /** Gated content (issue 11): browsers may cache it, shared caches must not. */
  options: { private?: boolean } = {},
): Promise<boolean> {
  const rangeHeader = request.headers.range;
  if (request.method === 'GET' && !rangeHeader) {
    const found = await blob.get(key);
    if (!found) return false;
    cacheHeaders(reply, found.info, fileName, options.private);
    if (isCurrent(request.headers['if-none-match'], found.info)) {
      found.body.destroy();
      await reply.status(304).send();
    } else {
      await reply.header('Content-Length', String(found.info.size)).send(found.body);
    }
    return true;
  }
  const info = await blob.head(key);
  if (!info) return false;
  if (isCurrent(request.headers['if-none-match'], info)) {
    cacheHeaders(reply, info, fileName, options.private);
    await reply.status(304).send();
    return true;
  }
  let range;
  try {
    range = parseRange(rangeHeader, info.size);
  } catch (err) {
    if (isStorageError(err)) void reply.header('Content-Range', `bytes */${info.size}`);
    throw err;
  }
  const found = request.method === 'HEAD' ? null : await blob.get(key, range ? { range } : {});
  if (request.method !== 'HEAD' && !found) return false;
  // Caching headers go on successful answers only: an error must never be cached for a year.
  cacheHeaders(reply, info, fileName, options.private);
  void reply.header('Content-Length', String(range ? range.end - range.start + 1 : info.size));
  if (range) void reply.status(206).header('Content-Range', `bytes ${range.start}-${range.end}/${info.size}`);
  // HEAD: an empty stream, since fastify's HEAD handling keeps our Content-Length for streams only.
  await reply.send(found ? found.body : Readable.from([]));
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
