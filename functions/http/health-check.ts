import { healthCheck } from '../../shared/client-api/health-check';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

/** GET (and HEAD) /health_check — mediorum's health answer, which the Audius SDK's node selector reads. */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/health_check',
  async handle(_request, reply) {
    const { status, body } = await healthCheck(await services());
    return reply.status(status).send(body);
  },
});
