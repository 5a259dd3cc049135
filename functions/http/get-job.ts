import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';
import { idParams } from '../../shared/http/schemas';
import { isMemberRequest } from '../../shared/access/caller';
import { publicJob } from '../../shared/jobs/public-view';

/**
 * GET /storage/jobs/:id — the job record, or 404 JOB_NOT_FOUND. A public caller gets it
 * without temp-store internals (shared/jobs/public-view.ts); a signed member, all of it.
 */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage/jobs/:id',
  schema: { params: idParams },
  async handle(request) {
    const s = await services();
    const job = await s.jobs.require((request.params as { id: string }).id);
    return isMemberRequest(s, request) ? job : publicJob(job);
  },
});
