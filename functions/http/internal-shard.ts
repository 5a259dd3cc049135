import { requireMemberSignature } from '../../shared/access/node-guard';
import { StorageError } from '../../shared/errors';
import { isValidShard } from '../../shared/placement/mod';
import { stillInStore } from '../../shared/repair/listing';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

/**
 * GET /storage/internal/shard/:shard — node-signed: the verified copies this node holds of a
 * shard, `{nodeId, shard, files: [{name, size, sha256}]}`, for repair's listings and its
 * fresh check before a trim. `?verify=true` (trim's check) lists only copies the store still
 * has with the catalogued size and digest — a stat each, not a re-hash.
 */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage/internal/shard/:shard',
  schema: {
    params: { type: 'object', properties: { shard: { type: 'string', maxLength: 20 } }, required: ['shard'] },
    querystring: { type: 'object', properties: { verify: { type: 'boolean' } } },
  },
  async handle(request) {
    const s = await services();
    requireMemberSignature(request, s.membership, s.config.nodeSignatureWindowSeconds, s.identity);
    const { shard } = request.params as { shard: string };
    if (!isValidShard(shard, s.config.shardLength))
      throw new StorageError('BAD_SHARD', `Not a shard: ${shard}`);
    if (!s.catalog.isReady()) throw new StorageError('NOT_READY', 'This node is still listing its store');
    const files = s.catalog.list(shard);
    const { verify } = request.query as { verify?: boolean };
    return {
      nodeId: s.identity.address,
      shard,
      files: verify ? await stillInStore(s.blob, s.catalog, shard, files) : files,
    };
  },
});
