import { httpFunction } from '../../shared/runtime/http-function';
import { sendPage } from '../../shared/weather/web-files';

/**
 * GET /storage/weather — the weather map as well, not a redirect: API Gateway routes
 * `/storage/weather/` here too, so a redirect to it would loop. The page's links are absolute.
 */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage/weather',
  async handle(_request, reply) {
    return sendPage(reply, 'weather');
  },
});
