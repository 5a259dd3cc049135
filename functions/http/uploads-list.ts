import { uploadsAfter } from '../../shared/client-api/uploads';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

/** GET /uploads?after=<RFC 3339> — uploads created after a time, oldest first, 2000 at most (mediorum). */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/uploads',
  schema: {
    querystring: { type: 'object', properties: { after: { type: 'string', maxLength: 64 } } },
  },
  async handle(request, reply) {
    const { after } = request.query as { after?: string };
    return reply.send(await uploadsAfter(await services(), after));
  },
});
