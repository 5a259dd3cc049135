import { applyDrainRequest } from '../../shared/drain/request';
import { jsonBody } from '../../shared/http/json-body';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

/**
 * POST /storage/drain — start or end this node's drain (docs/placement.md §Drain). The body
 * is a signed envelope (shared/drain/request.ts) from this node's delegate key or an operator
 * wallet, naming this node. The node leaves every ring at its next heartbeat, keeps serving
 * and keeping its copies, and reports on `GET /storage/drain` when it is safe to remove.
 */
export const { route, handler } = httpFunction({
  method: 'POST',
  url: '/storage/drain',
  async handle(request, reply) {
    const s = await services();
    const applied = applyDrainRequest(
      { nodeId: s.identity.address, config: s.config, drain: s.drain },
      jsonBody(request.body, 'a drain request'),
    );
    s.log.warn(applied, applied.action === 'drain' ? 'drain started' : 'drain ended');
    return reply.status(200).send({ ...applied, status: s.drain.status() });
  },
});
