import { requireMemberSignature } from '../../shared/access/node-guard';
import { StorageError } from '../../shared/errors';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

/**
 * GET /storage/internal/summaries — node-signed: `{nodeId, shards: {<shard>: [count, digest]}}`
 * for every shard this node holds (shared/repair/catalog.ts). A peer's repair pass compares
 * these with its own in one request (DESIGN §10 "Cost").
 */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage/internal/summaries',
  async handle(request) {
    const s = await services();
    requireMemberSignature(request, s.membership, s.config.nodeSignatureWindowSeconds, s.identity);
    if (!s.catalog.isReady()) throw new StorageError('NOT_READY', 'This node is still listing its store');
    return { nodeId: s.identity.address, shards: s.catalog.summaries() };
  },
});
