import { StorageError } from '../../shared/errors';
import { shardPrefix } from '../../shared/jobs/keys';
import { isValidShard } from '../../shared/placement/mod';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

/**
 * GET /storage/long-term/shard/:shard — what this node holds of a shard (`mkx` or `0_mkx`):
 * `[{key, size, sha256}]`, the listing repair and the weather map compare across owners.
 */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage/long-term/shard/:shard',
  schema: {
    params: { type: 'object', properties: { shard: { type: 'string', maxLength: 20 } }, required: ['shard'] },
  },
  async handle(request) {
    const s = await services();
    const raw = (request.params as { shard: string }).shard;
    const shard = raw.startsWith(`${s.config.namespace}_`) ? raw.slice(s.config.namespace.length + 1) : raw;
    if (!isValidShard(shard, s.config.shardLength))
      throw new StorageError('BAD_SHARD', `Not a shard: ${raw}`);
    const items: { key: string; size: number; sha256: string | null }[] = [];
    let cursor: string | undefined;
    do {
      const page = await s.blob.list(shardPrefix(s.config.namespace, shard), { cursor, limit: 1000 });
      for (const item of page.items)
        items.push({ key: item.key, size: item.size, sha256: item.sha256 ?? null });
      cursor = page.cursor;
    } while (cursor);
    return items;
  },
});
