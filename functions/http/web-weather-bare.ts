import { httpFunction } from '../../shared/runtime/http-function';

/** GET /storage/weather — to `/storage/weather/`, the page's one address. */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage/weather',
  async handle(request, reply) {
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    return reply.redirect(`/storage/weather/${query}`, 301);
  },
});
