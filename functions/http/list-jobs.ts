import { isMemberRequest } from '../../shared/access/caller';
import { publicJob } from '../../shared/jobs/public-view';
import { JOB_STATUS } from '../../shared/jobs/types';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

/**
 * GET /storage/jobs — newest first, `limit` per page, `status` filter; the next page's
 * cursor comes in the `x-next-cursor` header (the body stays the original README's array).
 * Jobs of the listing window (AUDIUS_JOB_LISTING_DAYS); public callers get them without
 * temp-store internals (shared/jobs/public-view.ts).
 */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage/jobs',
  schema: {
    querystring: {
      type: 'object',
      properties: {
        status: { type: 'string', enum: Object.values(JOB_STATUS) },
        limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
        cursor: { type: 'string', pattern: '^[0-9a-z]{25}$' },
      },
    },
  },
  async handle(request, reply) {
    const s = await services();
    const page = await s.jobs.list(request.query as { status?: never; limit: number; cursor?: string });
    if (page.next) void reply.header('x-next-cursor', page.next);
    return isMemberRequest(s, request) ? page.jobs : page.jobs.map(publicJob);
  },
});
