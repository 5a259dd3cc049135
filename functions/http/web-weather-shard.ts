import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';
import { shardReport } from '../../shared/weather/shard-collect';

/**
 * GET /storage/weather/api/shard/:shard — the shard's owners, every file in it and, per
 * file, which nodes hold it: healthy, NOT REPLICATED or DIGEST MISMATCH.
 */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage/weather/api/shard/:shard',
  schema: {
    params: { type: 'object', properties: { shard: { type: 'string', maxLength: 20 } }, required: ['shard'] },
  },
  async handle(request, reply) {
    void reply.header('Cache-Control', 'no-store');
    return shardReport(await services(), (request.params as { shard: string }).shard);
  },
});
