import { services } from '../../shared/runtime/services';
import { stepFunction } from '../../shared/runtime/lambda-step';
import type { ScheduleHandler } from '../../shared/step';

/** Scheduled: one anti-entropy pass — pull what this node lacks, trim what it no longer owns (shared/repair/). */
const repair: ScheduleHandler = async (_event, context) => (await services()).repair.run(context.signal);

export const handler = stepFunction(repair);
