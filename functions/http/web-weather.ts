import { httpFunction } from '../../shared/runtime/http-function';
import { sendPage } from '../../shared/weather/web-files';

/** GET /storage/weather/ — the weather map (web/weather.html). */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage/weather/',
  async handle(_request, reply) {
    return sendPage(reply, 'weather');
  },
});
