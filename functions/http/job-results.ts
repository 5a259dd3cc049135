import { idParams } from '../../shared/http/schemas';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';
import { shardPrefix } from '../../shared/jobs/keys';

/** GET /storage/job-results/:id — per result: shard, file name, digest, and which nodes hold it. */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage/job-results/:id',
  schema: { params: idParams },
  async handle(request) {
    const s = await services();
    const job = await s.jobs.require((request.params as { id: string }).id);
    return job.results.map((r) => ({
      shard: shardPrefix(s.config.namespace, r.shard).slice(0, -1),
      fileName: r.name,
      size: r.size,
      sha256: r.sha256,
      contentType: r.content_type,
      nodes: r.nodes,
      owners: s.membership.ring().owners(r.shard),
    }));
  },
});
