import { StorageError } from '../../shared/errors';
import { shardOfKey } from '../../shared/placement/mod';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

/** GET /storage/placement/:key — the owners of an id, a file name or a shard, in rank order. */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage/placement/:key',
  schema: {
    params: { type: 'object', properties: { key: { type: 'string', maxLength: 100 } }, required: ['key'] },
  },
  async handle(request) {
    const s = await services();
    const key = (request.params as { key: string }).key;
    let shard: string;
    try {
      shard = shardOfKey(key, s.config.shardLength);
    } catch (cause) {
      throw new StorageError('VALIDATION_FAILED', `Not an id, result file name or shard: ${key}`, { cause });
    }
    const owners = s.membership.ring().owners(shard);
    return {
      key,
      shard,
      replicationFactor: s.config.replicationFactor,
      owners: owners.map((nodeId) => ({ nodeId, host: s.membership.get(nodeId)?.host ?? null })),
    };
  },
});
