import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

const nullableString = { type: ['string', 'null'] };

/** The shape of shared/drain/types.ts DrainStatus. */
export const drainStatusSchema = {
  type: 'object',
  required: ['draining', 'since', 'files', 'confirmed', 'safeToRemove', 'checkedAt', 'blocked'],
  properties: {
    draining: { type: 'boolean' },
    since: nullableString,
    files: { type: 'integer' },
    confirmed: { type: 'integer' },
    safeToRemove: { type: 'boolean' },
    checkedAt: nullableString,
    blocked: nullableString,
  },
} as const;

/**
 * GET /storage/drain — public and read-only: whether this node drains and whether it is safe
 * to remove (every file it holds confirmed on R other owners by a fresh store-verified
 * listing, every healthy member on the same ring). Also in its heartbeat record, so the
 * weather map shows it on the node's card.
 */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage/drain',
  schema: {
    response: {
      200: {
        type: 'object',
        required: ['nodeId', 'weight', 'status'],
        properties: { nodeId: { type: 'string' }, weight: { type: 'number' }, status: drainStatusSchema },
      },
    },
  },
  async handle(_request, reply) {
    const s = await services();
    void reply.header('Cache-Control', 'no-store');
    const me = s.membership.get(s.identity.address);
    return { nodeId: s.identity.address, weight: me?.weight ?? 1, status: s.drain.status() };
  },
});
