import type { FastifyInstance } from 'fastify';
import type { Config } from '../config';
import type { Logger } from '../log';
import { access, stopAccess } from '../access/access';
import { createApp, mountRoute } from './app';
import { buildServices } from './build-services';
import { httpRouteOf } from './load-function';
import type { Manifest } from './manifest';
import { provideServices, type Services } from './services';
import { startWorkers, type Workers } from './workers';

export interface RunningNode {
  services: Services;
  app: FastifyInstance;
  /** `http://host:port` the server listens on. */
  url: string;
  stop(): Promise<void>;
}

/**
 * The self-hosted runtime (DESIGN §1 (a)): every HTTP function on one fastify server (bodies
 * stream), plus the workers (consumer shims and schedules).
 */
export async function startNode(config: Config, manifest: Manifest, log: Logger): Promise<RunningNode> {
  const services = await buildServices(config, log);
  provideServices(services);
  const app = createApp({
    logger: log,
    timeouts: {
      requestMs: config.requestTimeoutSeconds * 1000,
      headersMs: config.headersTimeoutSeconds * 1000,
      idleMs: config.idleTimeoutSeconds * 1000,
    },
  });
  let workers: Workers | undefined;
  const stop = async () => {
    // Leave first, so peers stop redirecting here, then let in-flight requests and steps finish.
    await services.membership.stop();
    await app.close();
    await workers?.stop();
    await closeServices(services);
  };
  try {
    // Follow the delist set from the start: a takedown must reach this node before any read.
    await access(services);
    for (const spec of manifest.functions) {
      if (spec.http.length > 0) mountRoute(app, httpRouteOf(spec));
    }
    workers = await startWorkers(services, manifest, log);
    const url = await app.listen({ port: config.port, host: config.listenHost });
    log.info({ node: services.identity.address, url, storage: services.blob.displayUrl }, 'node ready');
    return { services, app, url, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export async function closeServices(services: Services): Promise<void> {
  await services.repair.stop();
  await services.membership.stop();
  await stopAccess(services);
  // Draining needs a live server; when NATS is already gone, do not hang the shutdown.
  const drained = services.nats.nc.drain().catch(() => undefined);
  const timeout = new Promise((resolve) => setTimeout(resolve, 3000).unref());
  await Promise.race([drained, timeout]);
  await services.nats.nc.close();
  services.reads.close();
  await services.blob.close();
  provideServices(undefined);
}
