import type { Config } from '../config';
import type { Logger } from '../log';
import { buildServices } from '../runtime/build-services';
import type { Manifest } from '../runtime/manifest';
import { closeServices } from '../runtime/node';
import { provideServices } from '../runtime/services';
import { startWorkers } from '../runtime/workers';

export interface Bridge {
  /** Stops pulling; in-flight invocations get `graceMs`, then are aborted and handed back (nak). */
  stop(graceMs?: number): Promise<void>;
}

/**
 * The NATS→Lambda bridge (README "Deploying to AWS"): the long-running half of a node whose
 * functions are deployed on Lambda. It runs the consumer shims of serverless.yml's `nats`
 * events with AUDIUS_STEP_INVOKER=lambda, and it is the node's member (its heartbeat puts the
 * node in the ring; the Lambdas only read the membership).
 */
export async function startBridge(config: Config, manifest: Manifest, log: Logger): Promise<Bridge> {
  if (config.stepInvoker !== 'lambda') {
    throw new Error('the bridge invokes functions on Lambda: set AUDIUS_STEP_INVOKER=lambda');
  }
  const services = await buildServices(config, log, { member: true });
  provideServices(services);
  try {
    const workers = await startWorkers(services, manifest, log);
    const functions = manifest.functions
      .filter((f) => f.nats.length > 0)
      .map((f) => config.lambdaPrefix + f.name);
    log.info({ endpoint: config.lambdaEndpoint || 'aws', functions }, 'bridge ready');
    return {
      async stop(graceMs) {
        await services.membership.stop();
        await workers.stop(graceMs);
        await closeServices(services);
      },
    };
  } catch (err) {
    await closeServices(services);
    throw err;
  }
}
