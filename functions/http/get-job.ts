import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';
import { idParams } from '../../shared/http/schemas';

/** GET /storage/jobs/:id — the job record, or 404 JOB_NOT_FOUND. */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage/jobs/:id',
  schema: { params: idParams },
  async handle(request) {
    const s = await services();
    return s.jobs.require((request.params as { id: string }).id);
  },
});
