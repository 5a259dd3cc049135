import { expireTusUploads } from '../../shared/client-api/tus';
import { services } from '../../shared/runtime/services';
import type { ScheduleHandler } from '../../shared/step';

/** Scheduled: delete unfinished tus uploads untouched for AUDIUS_TUS_EXPIRY_HOURS (shared/client-api/tus.ts). */
export const handler: ScheduleHandler = async () => {
  await expireTusUploads(await services());
};
