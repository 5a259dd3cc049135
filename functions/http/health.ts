import { healthReport, healthSchema } from '../../shared/health';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

/** GET /storage/health — 200 when this node can serve, 503 when it cannot. */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage/health',
  schema: { response: { 200: healthSchema, 503: healthSchema } },
  async handle(_request, reply) {
    const report = healthReport(await services());
    return reply.status(report.healthy ? 200 : 503).send(report);
  },
});
