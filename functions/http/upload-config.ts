import { uploadConfig } from '../../shared/presigned-upload/upload-config';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

/**
 * GET /storage/upload-config — the body limit in front of this node (AUDIUS_MAX_DIRECT_BODY_MB)
 * and whether presigned slots work here: the dashboard sends larger files through a slot.
 */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage/upload-config',
  async handle(_request, reply) {
    return reply.status(200).send(uploadConfig((await services()).config));
  },
});
