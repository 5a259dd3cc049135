import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';
import { clusterReport } from '../../shared/weather/cluster-report';

/**
 * GET /storage/weather/api/cluster — this node's members, each healthy node's own view
 * (fingerprint, healthy set, ring sketch) and whether they agree. Peers are asked here,
 * so the page talks to the node it came from only.
 */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage/weather/api/cluster',
  async handle(_request, reply) {
    void reply.header('Cache-Control', 'no-store');
    return clusterReport(await services());
  },
});
