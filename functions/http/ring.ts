import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

/**
 * GET /storage/ring — this node's shard → owners table over the healthy nodes, in the
 * compact form (docs/placement.md: base64 uint16 owner indices; 46,656 shards at length 3).
 */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage/ring',
  async handle() {
    const s = await services();
    return { self: s.identity.address, ...s.membership.ring().toCompact() };
  },
});
