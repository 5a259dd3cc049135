import type { FastifyInstance } from 'fastify';
import { isLoopback, type Config } from '../config';
import type { Logger } from '../log';
import { describeNatsAuth, natsRunsOpen } from '../nats/auth';
import { access, stopAccess } from '../access/access';
import { createApp, mountRoute } from './app';
import { buildServices } from './build-services';
import { httpRouteOf } from './load-function';
import type { Manifest } from './manifest';
import { provideServices, type Services } from './services';
import { startWorkers, type Workers } from './workers';
import { closeEventStreams } from '../weather/sse';

/**
 * The most a stop takes (issue 15): in-flight steps get WORKER_GRACE_MS, then are handed back;
 * whatever still hangs after SHUTDOWN_BOUND_MS (a NATS that does not answer, a stuck request)
 * is abandoned and the process exits.
 */
export const WORKER_GRACE_MS = 10_000;
export const SHUTDOWN_BOUND_MS = 25_000;

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
  const stopInOrder = async () => {
    // Stop taking work first (in-flight steps go on, up to their grace); then leave, so peers
    // stop redirecting here; end the event streams (hijacked: fastify's close would wait for
    // ever on an open dashboard); let in-flight requests and steps finish.
    const workersStopped = workers?.stop(WORKER_GRACE_MS);
    await services.membership.stop();
    closeEventStreams();
    await app.close();
    await workersStopped;
    await closeServices(services);
  };
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), SHUTDOWN_BOUND_MS);
        timer.unref();
      });
      const outcome = await Promise.race([stopInOrder(), bound]);
      clearTimeout(timer);
      if (outcome === 'timeout')
        log.warn({ boundMs: SHUTDOWN_BOUND_MS }, 'shutdown bound passed; leaving the rest');
    })());
  try {
    // Follow the delist set from the start: a takedown must reach this node before any read.
    await access(services);
    for (const spec of manifest.functions) {
      if (spec.http.length > 0) mountRoute(app, httpRouteOf(spec));
    }
    workers = await startWorkers(services, manifest, log);
    const url = await app.listen({ port: config.port, host: config.listenHost });
    log.info(
      {
        node: services.identity.address,
        url,
        host: config.host,
        storage: services.blob.displayUrl,
        nats: describeNatsAuth(config.natsAuth),
      },
      'node ready',
    );
    if (natsRunsOpen(config))
      log.warn(
        { nats: config.natsUrl },
        'NATS without credentials beyond loopback: anyone who reaches it can publish as a node (docs/nats-security.md)',
      );
    if (!isLoopback(config.listenHost) && isLoopback(new URL(config.host).hostname))
      log.warn(
        { host: config.host, listen: config.listenHost },
        'AUDIUS_HOST is a loopback address while this node listens beyond it: peers will redirect clients to it; set the public URL',
      );
    return { services, app, url, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export async function closeServices(services: Services): Promise<void> {
  services.storeHealth.stop();
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
