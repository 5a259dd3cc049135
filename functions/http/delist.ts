import { applyDelistRequest } from '../../shared/access/delist-request';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

/**
 * POST /storage/delist — an operator-signed takedown or its reversal (issue 11); every node
 * refuses the name on every read route as soon as its delist watch sees the entry.
 */
export const { route, handler } = httpFunction({
  method: 'POST',
  url: '/storage/delist',
  async handle(request, reply) {
    const result = await applyDelistRequest(await services(), request.body);
    return reply.status(200).send(result);
  },
});
