import { services } from '../../shared/runtime/services';
import { stepFunction } from '../../shared/runtime/lambda-step';
import type { ScheduleHandler } from '../../shared/step';

/** Scheduled: re-hash stored copies at AUDIUS_SCRUB_MBPS; quarantine and heal bad ones (shared/repair/scrub.ts). */
const scrub: ScheduleHandler = async (_event, context) => (await services()).repair.scrub(context.signal);

export const handler = stepFunction(scrub);
