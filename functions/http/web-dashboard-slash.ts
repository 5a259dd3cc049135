import { slotUploadOrigins } from '../../shared/presigned-upload/upload-config';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';
import { sendPage, wildcardPage } from '../../shared/weather/web-files';

/**
 * GET /storage/ — the dashboard too. Fastify tells `/storage` and `/storage/` apart, while
 * API Gateway and serverless-offline refuse a route ending in `/`; a greedy route reaches
 * it everywhere. Any other unknown GET under /storage/ is the usual 404 (ROUTE_NOT_FOUND).
 */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage/*',
  async handle(request, reply) {
    const page = wildcardPage(request, 'dashboard');
    return sendPage(reply, page, slotUploadOrigins((await services()).config));
  },
});
