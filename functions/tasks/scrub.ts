import { services } from '../../shared/runtime/services';
import type { ScheduleHandler } from '../../shared/step';

/** Scheduled: re-hash stored copies at AUDIUS_SCRUB_MBPS; quarantine and heal bad ones (shared/repair/scrub.ts). */
export const handler: ScheduleHandler = async (_event, context) =>
  (await services()).repair.scrub(context.signal);
