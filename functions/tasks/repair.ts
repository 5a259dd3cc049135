import { services } from '../../shared/runtime/services';
import type { ScheduleHandler } from '../../shared/step';

/** Scheduled: one anti-entropy pass — pull what this node lacks, trim what it no longer owns (shared/repair/). */
export const handler: ScheduleHandler = async (_event, context) =>
  (await services()).repair.run(context.signal);
