import type { FastifyReply, FastifyRequest } from 'fastify';
import { redirectQuery } from '../access/read-guard';
import { StorageError } from '../errors';
import { serveBlob } from '../http/serve-blob';
import { longTermKey } from '../jobs/keys';
import { otherHolder } from '../jobs/locate';
import { parseFileName } from '../placement/keys';
import type { Services } from '../runtime/services';

/** Result files the client API serves as artwork; everything else is audio (mediorum §4). */
const IMAGE_EXTENSIONS = new Set(['jpg', 'png', 'webp', 'gif', 'tif', 'avif']);

export function isImageFile(fileName: string): boolean {
  return IMAGE_EXTENSIONS.has(parseFileName(fileName)?.ext ?? '');
}

/**
 * A client-API read of a stored result: through the shared read path (serveBlob: Range,
 * ETag, HEAD, 304) when this node holds it, else 302 to a healthy holder at the same client
 * route (`?localOnly=true` → 404), as the long-term route and mediorum both do.
 */
export async function serveOrRedirect(
  s: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  fileName: string,
  /** The same route's path on another node: `/content/<cid>`. */
  routePath: string,
  options: { private?: boolean } = {},
): Promise<FastifyReply> {
  const key = longTermKey(s.config.namespace, s.config.shardLength, fileName);
  if (await serveBlob(request, reply, s.reads, key, options)) return reply;
  if ((request.query as { localOnly?: boolean }).localOnly)
    throw new StorageError('FILE_NOT_FOUND', `This node does not hold ${fileName}`);
  const holder = await otherHolder(s, fileName, s.reads.holders);
  if (!holder) throw new StorageError('FILE_NOT_FOUND', `No healthy node holds ${fileName} (yet)`);
  return reply.redirect(`${holder.host}${routePath}?${redirectQuery(request)}`, 302);
}
