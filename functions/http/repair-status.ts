import { healthSchema } from '../../shared/health';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';
import type { RepairStatusAnswer } from '../../shared/weather/types';

/**
 * GET /storage/repair/status — this node's repair and scrub status (as in its heartbeat) and
 * the files it is pulling right now, sorted. Public and read-only, like the shard listings:
 * the weather map's shard page asks each owner which copies are being repaired.
 */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage/repair/status',
  schema: {
    response: {
      200: {
        type: 'object',
        required: ['nodeId', 'status', 'pulling'],
        properties: {
          nodeId: { type: 'string' },
          status: healthSchema.properties.repair,
          pulling: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
  async handle(_request, reply) {
    const s = await services();
    void reply.header('Cache-Control', 'no-store');
    const answer: RepairStatusAnswer = {
      nodeId: s.identity.address,
      status: s.repair.status(),
      pulling: s.repair.pulling().sort(),
    };
    return answer;
  },
});
