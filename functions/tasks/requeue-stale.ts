import { requeueStaleJobs } from '../../shared/jobs/requeue-stale';
import { services } from '../../shared/runtime/services';
import { stepFunction } from '../../shared/runtime/lambda-step';
import type { ScheduleHandler } from '../../shared/step';

/** Scheduled: republish pending jobs that lost their work message (shared/jobs/requeue-stale.ts). */
const requeue: ScheduleHandler = async () => requeueStaleJobs(await services());

export const handler = stepFunction(requeue);
