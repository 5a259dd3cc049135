import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

/** GET /storage/nodes — the members as this node sees them, and its membership history. */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage/nodes',
  async handle() {
    const s = await services();
    return {
      self: s.identity.address,
      ringFingerprint: s.membership.ring().fingerprint(),
      nodes: s.membership.list(),
      changes: s.membership.changes(),
    };
  },
});
