import { guardRead, redirectQuery } from '../../shared/access/read-guard';
import { StorageError } from '../../shared/errors';
import { serveBlob } from '../../shared/http/serve-blob';
import { longTermKey } from '../../shared/jobs/keys';
import { otherHolder } from '../../shared/jobs/locate';
import { fileReadSchema } from '../../shared/http/schemas';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

/**
 * GET /storage/long-term/file/:fileName — served with Range/ETag when this node holds it,
 * otherwise 302 to a healthy node that does (`?localOnly=true`: 404 instead).
 */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage/long-term/file/:fileName',
  schema: fileReadSchema,
  async handle(request, reply) {
    const s = await services();
    const { fileName } = request.params as { fileName: string };
    const key = longTermKey(s.config.namespace, s.config.shardLength, fileName);
    // Not a way around the read policy (issue 11): gated files need a stream or node signature.
    const { gated } = await guardRead(s, request, fileName, { acceptNodeSignature: true });
    if (await serveBlob(request, reply, s.reads, key, { private: gated })) return reply;
    if ((request.query as { localOnly?: boolean }).localOnly) {
      throw new StorageError('FILE_NOT_FOUND', `This node does not hold ${fileName}`);
    }
    const holder = await otherHolder(s, fileName, s.reads.holders);
    if (!holder) throw new StorageError('FILE_NOT_FOUND', `No healthy node holds ${fileName}`);
    return reply.redirect(
      `${holder.host}/storage/long-term/file/${encodeURIComponent(fileName)}?${redirectQuery(request)}`,
      302,
    );
  },
});
