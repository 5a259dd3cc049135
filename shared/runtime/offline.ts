import { createLogger } from '../log';
import { manifestFromDoc } from './manifest';
import { closeServices } from './node';
import { services } from './services';
import { setServicesFactory } from './services';
import { servicesFromEnv } from './build-services';
import { startWorkers } from './workers';

/**
 * The NATS consumer shims and schedules for `npm run offline` (serverless-offline serves
 * the HTTP functions; this runs the rest in the osls process). Called by the local plugin.
 */
export async function startOfflineWorkers(functions: Record<string, unknown>): Promise<() => Promise<void>> {
  setServicesFactory(servicesFromEnv);
  const s = await services();
  const workers = await startWorkers(
    s,
    manifestFromDoc({ service: 'offline', functions }),
    createLogger('offline'),
  );
  return async () => {
    await workers.stop();
    await closeServices(s);
  };
}
