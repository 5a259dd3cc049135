import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BlobStore } from '../blob/types';
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
 * false when the node does not hold it.
 */
export async function serveBlob(
  request: FastifyRequest,
  reply: FastifyReply,
  blob: BlobStore,
  key: string,
  fileName: string,
): Promise<boolean> {
  const info = await blob.head(key);
  if (!info) return false;
  const etag = info.sha256 ? `"${info.sha256}"` : undefined;
  void reply.header('Accept-Ranges', 'bytes').header('Cache-Control', 'public, max-age=31536000, immutable');
  void reply.type(contentTypeOf(fileName, info.contentType));
  if (etag) void reply.header('ETag', etag);
  if (etag && request.headers['if-none-match'] === etag) {
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
  const length = range ? range.end - range.start + 1 : info.size;
  void reply.header('Content-Length', String(length));
  if (range) void reply.status(206).header('Content-Range', `bytes ${range.start}-${range.end}/${info.size}`);
  if (request.method === 'HEAD') {
    // An empty stream: fastify's HEAD handling keeps our Content-Length for streams only.
    await reply.send(Readable.from([]));
    return true;
  }
  const found = await blob.get(key, range ? { range } : {});
  if (!found) return false;
  await reply.send(found.body);
  return true;
}
