import { guardRead } from '../../shared/access/read-guard';
import { isImageFile, serveOrRedirect } from '../../shared/client-api/serve';
import { resultForKey } from '../../shared/client-api/variants';
import { StorageError } from '../../shared/errors';
import { ID_PATTERN } from '../../shared/http/schemas';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

/**
 * GET (and HEAD) /content/:uploadId/:variant — artwork by upload id and mediorum's variant
 * name (`150x150.jpg`, `480x480.jpg`, `1000x1000.jpg`, `640x.jpg`, `2000x.jpg`,
 * `original.jpg`), which is how players ask for cover art.
 */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/content/:uploadId/:variant',
  schema: {
    params: {
      type: 'object',
      properties: {
        uploadId: { type: 'string', pattern: ID_PATTERN },
        variant: { type: 'string', maxLength: 40 },
      },
      required: ['uploadId', 'variant'],
    },
    querystring: { type: 'object', properties: { localOnly: { type: 'boolean' }, signature: {} } },
  },
  async handle(request, reply) {
    const s = await services();
    const { uploadId, variant } = request.params as { uploadId: string; variant: string };
    const job = await s.jobs.require(uploadId);
    const result = resultForKey(job, variant);
    if (!result || !isImageFile(result.name))
      throw new StorageError(
        'BAD_VARIANT',
        `upload ${uploadId} has no image variant ${JSON.stringify(variant)}`,
      );
    const { gated } = await guardRead(s, request, result.name);
    const path = `/content/${uploadId}/${encodeURIComponent(variant)}`;
    return serveOrRedirect(s, request, reply, result.name, path, { private: gated });
  },
});
