import { guardRead, redirectQuery } from '../../shared/access/read-guard';
import { StorageError } from '../../shared/errors';
import { serveBlob } from '../../shared/http/serve-blob';
import { longTermKey } from '../../shared/jobs/keys';
import { otherHolder } from '../../shared/jobs/locate';
import { fileReadSchema } from '../../shared/http/schemas';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

/**
 * GET (and HEAD) /storage/stream/:fileName — the player's read route (DESIGN §7): a gated
 * file needs `?signature=` (a signed stream URL); Range/ETag as on the long-term route. A
 * node that does not hold the file redirects with the signature kept.
 */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage/stream/:fileName',
  schema: fileReadSchema,
  async handle(request, reply) {
    const s = await services();
    const { fileName } = request.params as { fileName: string };
    const key = longTermKey(s.config.namespace, s.config.shardLength, fileName);
    const { gated } = await guardRead(s, request, fileName);
    if (await serveBlob(request, reply, s.reads, key, { private: gated })) return reply;
    if ((request.query as { localOnly?: boolean }).localOnly)
      throw new StorageError('FILE_NOT_FOUND', `This node does not hold ${fileName}`);
    const holder = await otherHolder(s, fileName, s.reads.holders);
    if (!holder) throw new StorageError('FILE_NOT_FOUND', `No healthy node holds ${fileName}`);
    const target = `${holder.host}/storage/stream/${encodeURIComponent(fileName)}?${redirectQuery(request)}`;
    return reply.redirect(target, 302);
  },
});
