import { requireMemberSignature } from '../../shared/access/node-guard';
import { StorageError } from '../../shared/errors';
import { isValidShard } from '../../shared/placement/mod';
import { stillInStore } from '../../shared/repair/listing';
import { MAX_SHARDS_PER_LISTING } from '../../shared/repair/peer-client';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

/**
 * GET /storage/internal/shards?s=<shard>,<shard>… — node-signed: the verified copies this node
 * holds of each shard, `{nodeId, shards: {<shard>: [{name, size, sha256}]}}`, for repair's
 * listings (many shards a request: after a node dies, a pass lists hundreds) and its fresh
 * check before a trim. `&verify=true` (trim's check) lists only copies the store still has
 * with the catalogued size and digest — a stat each, not a re-hash.
 */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage/internal/shards',
  schema: {
    querystring: {
      type: 'object',
      properties: { s: { type: 'string', maxLength: 2000 }, verify: { type: 'boolean' } },
      required: ['s'],
    },
  },
  async handle(request) {
    const s = await services();
    requireMemberSignature(request, s.membership, s.config.nodeSignatureWindowSeconds, s.identity);
    const { s: list, verify } = request.query as { s: string; verify?: boolean };
    const shards = list.split(',');
    if (shards.length > MAX_SHARDS_PER_LISTING || !shards.every((x) => isValidShard(x, s.config.shardLength)))
      throw new StorageError(
        'BAD_SHARD',
        `Not a list of at most ${MAX_SHARDS_PER_LISTING} shards: ${list.slice(0, 40)}`,
      );
    if (!s.catalog.isReady()) throw new StorageError('NOT_READY', 'This node is still listing its store');
    const out: Record<string, unknown> = {};
    for (const shard of new Set(shards)) {
      const files = s.catalog.list(shard);
      out[shard] = verify ? await stillInStore(s.blob, s.catalog, shard, files) : files;
    }
    return { nodeId: s.identity.address, shards: out };
  },
});
