import { describeError } from '../../shared/errors';
import { publicJob } from '../../shared/jobs/public-view';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';
import { jobFeedOf } from '../../shared/weather/job-feed';
import { onMembershipChange } from '../../shared/weather/membership-feed';
import { openEventStream } from '../../shared/weather/sse';

/**
 * GET /storage/events — server-sent events for the pages: `job` (a job record, on every
 * change anywhere in the cluster) and `membership` (this node's healthy set changed).
 * A long-lived stream: the self-hosted runtime only (a buffered Lambda cannot stream it).
 */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage/events',
  async handle(_request, reply) {
    const s = await services();
    const stream = openEventStream(reply);
    const offMembership = onMembershipChange(s.membership, (change) => stream.send('membership', change));
    let unsubscribe = () => {};
    try {
      // Public: jobs without temp-store internals (shared/jobs/public-view.ts).
      unsubscribe = await jobFeedOf(s.nats, s.log).subscribe((job) => stream.send('job', publicJob(job)));
      stream.send('hello', { self: s.identity.address });
    } catch (err) {
      stream.send('problem', { message: `Job updates are unavailable: ${describeError(err)}` });
    }
    await stream.closed;
    offMembership();
    unsubscribe();
    return reply;
  },
});
