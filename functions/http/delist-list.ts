import { access } from '../../shared/access/access';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

/** GET /storage/delist — what this node refuses as taken down, newest first (the weather map shows it). */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage/delist',
  async handle(_request, reply) {
    const { delist } = await access(await services());
    return reply.status(200).send(delist.list());
  },
});
