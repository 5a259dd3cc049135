import { httpFunction } from '../../shared/runtime/http-function';
import { sendPage, wildcardPage } from '../../shared/weather/web-files';

/**
 * GET /storage/weather/ — the weather map. A greedy route, as for `/storage/` (see
 * web-dashboard-slash): deeper unknown paths are 404 (ROUTE_NOT_FOUND).
 */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage/weather/*',
  async handle(request, reply) {
    return sendPage(reply, wildcardPage(request, 'weather'));
  },
});
