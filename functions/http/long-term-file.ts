import { StorageError } from '../../shared/errors';
import { serveBlob } from '../../shared/http/serve-blob';
import { longTermKey } from '../../shared/jobs/keys';
import { otherHolder } from '../../shared/jobs/locate';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

/**
 * GET /storage/long-term/file/:fileName — served with Range/ETag when this node holds it,
 * otherwise 302 to a healthy node that does (`?localOnly=true`: 404 instead).
 */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage/long-term/file/:fileName',
  schema: {
    params: {
      type: 'object',
      properties: { fileName: { type: 'string', maxLength: 100 } },
      required: ['fileName'],
    },
    querystring: { type: 'object', properties: { localOnly: { type: 'boolean' } } },
  },
  async handle(request, reply) {
    const s = await services();
    const { fileName } = request.params as { fileName: string };
    const key = longTermKey(s.config.namespace, s.config.shardLength, fileName);
    if (await serveBlob(request, reply, s.blob, key, fileName)) return reply;
    if ((request.query as { localOnly?: boolean }).localOnly) {
      throw new StorageError('FILE_NOT_FOUND', `This node does not hold ${fileName}`);
    }
    const holder = await otherHolder(s, fileName);
    if (!holder) throw new StorageError('FILE_NOT_FOUND', `No healthy node holds ${fileName}`);
    return reply.redirect(
      `${holder.host}/storage/long-term/file/${encodeURIComponent(fileName)}?localOnly=true`,
      302,
    );
  },
});
