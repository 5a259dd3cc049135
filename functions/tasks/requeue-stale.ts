import { requeueStaleJobs } from '../../shared/jobs/requeue-stale';
import { services } from '../../shared/runtime/services';
import type { ScheduleHandler } from '../../shared/step';

/** Scheduled: republish pending jobs that lost their work message (shared/jobs/requeue-stale.ts). */
export const handler: ScheduleHandler = async () => requeueStaleJobs(await services());
