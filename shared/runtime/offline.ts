import { loadConfig } from '../config';
import { createLogger } from '../log';
import { buildServices } from './build-services';
import { manifestFromDoc } from './manifest';
import { closeServices } from './node';
import { provideServices } from './services';
import { startWorkers } from './workers';

/**
 * The NATS consumer shims and schedules for `npm run offline` (serverless-offline serves
 * the HTTP functions; this runs the rest in the osls process). Called by the local plugin.
 * This process is the node's member: it heartbeats, so its storer owns shards.
 */
export async function startOfflineWorkers(functions: Record<string, unknown>): Promise<() => Promise<void>> {
  const config = loadConfig();
  const log = createLogger(config.nodeName);
  const s = await buildServices(config, log, { member: true });
  provideServices(s);
  const workers = await startWorkers(s, manifestFromDoc({ service: 'offline', functions }), log);
  return async () => {
    await s.membership.stop();
    await workers.stop();
    await closeServices(s);
  };
}
