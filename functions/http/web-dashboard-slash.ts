import { httpFunction } from '../../shared/runtime/http-function';
import { sendPage } from '../../shared/weather/web-files';

/** GET /storage/ — the upload dashboard too: fastify and API Gateway tell the two paths apart. */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage/',
  async handle(_request, reply) {
    return sendPage(reply, 'dashboard');
  },
});
