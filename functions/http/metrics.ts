import { healthyMembers, ownedShards, registry } from '../../shared/metrics';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

/** GET /storage/metrics — Prometheus text format: requests, step runs and durations, membership. */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage/metrics',
  async handle(_request, reply) {
    const s = await services();
    const ring = s.membership.ring();
    healthyMembers.set(s.membership.healthy().length);
    ownedShards.set(ring.has(s.identity.address) ? ring.shardsOf(s.identity.address).length : 0);
    return reply.type(registry.contentType).send(await registry.metrics());
  },
});
