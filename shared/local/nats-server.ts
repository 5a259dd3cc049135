import fs from 'node:fs';
import path from 'node:path';
import { spawnChild, type Child } from './child';
import { freePort, waitFor } from './ports';

export interface NatsServer extends Child {
  clientUrl: string;
  monitorUrl: string;
}

export interface NatsClusterOptions {
  size: number;
  /** Store dirs go under `<dataDir>/<name>`. */
  dataDir: string;
  /** Client ports; free ports when absent. */
  clientPorts?: number[];
  clusterName?: string;
  /**
   * Servers do not tell clients about the other servers (`--no_advertise`): a client then
   * talks only to the servers it was given, so a test can cut one node off NATS by stopping
   * its server.
   */
  noAdvertise?: boolean;
  /** A nats-server config file (authorization, TLS) read before the flags, which win. */
  configFile?: string;
  onLine?: (server: string, line: string) => void;
}

export interface NatsCluster {
  servers: NatsServer[];
  urls: string[];
  stop(): Promise<void>;
  /** Starts server `i` again (killing it first if it runs) on its ports and store: a crash and return. */
  restart(i: number): Promise<NatsServer>;
}

/**
 * Real nats-server processes with JetStream on loopback (one, or a routed cluster), for
 * `npm start` and the tests alike. Resolves once every server reports healthy.
 */
export async function startNatsCluster(options: NatsClusterOptions): Promise<NatsCluster> {
  const names = Array.from({ length: options.size }, (_, i) => `nats${i + 1}`);
  const client = options.clientPorts ?? (await Promise.all(names.map(() => freePort())));
  const routesPorts = await Promise.all(names.map(() => freePort()));
  const monitor = await Promise.all(names.map(() => freePort()));
  const clusterName = options.clusterName ?? 'storage';
  const routes = routesPorts.map((p) => `nats-route://127.0.0.1:${p}`).join(',');
  const servers: NatsServer[] = [];
  const lastLines = new Map<string, string[]>();
  const spawnServer = (i: number): NatsServer => {
    const name = names[i];
    const storeDir = path.join(options.dataDir, name);
    fs.mkdirSync(storeDir, { recursive: true });
    const args = [
      ...(options.configFile ? ['-c', options.configFile] : []),
      '-a',
      '127.0.0.1',
      '-p',
      String(client[i]),
      '-m',
      String(monitor[i]),
      '-n',
      name,
      '-js',
      '-sd',
      storeDir,
    ];
    if (options.size > 1) {
      args.push(
        '--cluster_name',
        clusterName,
        '--cluster',
        `nats://127.0.0.1:${routesPorts[i]}`,
        '--routes',
        routes,
      );
      if (options.noAdvertise) args.push('--no_advertise');
    }
    const recent: string[] = [];
    const child = spawnChild(name, 'nats-server', args, {
      onLine: (line) => {
        recent.push(line);
        if (recent.length > 5) recent.shift();
        options.onLine?.(name, line);
      },
    });
    lastLines.set(name, recent);
    const server = {
      ...child,
      clientUrl: `nats://127.0.0.1:${client[i]}`,
      monitorUrl: `http://127.0.0.1:${monitor[i]}`,
    };
    servers[i] = server;
    return server;
  };
  try {
    names.forEach((_, i) => spawnServer(i));
    await Promise.all(servers.map((s) => waitHealthy(s, lastLines.get(s.name) ?? [])));
    // A cluster serves JetStream requests only once its meta group has elected a leader.
    if (options.size > 1)
      await waitFor(
        'a JetStream meta leader',
        async () => (await jetStreamInfo(servers[0])).leader !== undefined,
      );
  } catch (err) {
    await Promise.allSettled(servers.map((s) => s.kill()));
    throw err;
  }
  return {
    servers,
    urls: servers.map((s) => s.clientUrl),
    stop: async () => {
      await Promise.allSettled(servers.map((s) => s.stop(5000)));
    },
    restart: async (i: number) => {
      await servers[i].kill();
      const server = spawnServer(i);
      await waitHealthy(server, lastLines.get(server.name) ?? []);
      return server;
    },
  };
}

async function waitHealthy(server: NatsServer, recent: string[]): Promise<void> {
  const died = server.exited.then((code) => {
    // Its own last words say why (a port in use, a bad store dir); without any, it never ran.
    const why =
      recent.filter((line) => /\[(FTL|ERR)\]/.test(line)).at(-1) ??
      recent.at(-1) ??
      'is nats-server installed? (npm run ensure-binaries)';
    throw new Error(`${server.name} exited (${code}): ${why}`);
  });
  const polling = new AbortController();
  const healthy = waitFor(
    `${server.name} to be healthy`,
    async () => (await fetch(`${server.monitorUrl}/healthz`)).ok,
    20_000,
    polling.signal,
  );
  try {
    await Promise.race([healthy, died]);
  } finally {
    polling.abort();
    healthy.catch(() => undefined);
    died.catch(() => undefined);
  }
}

/** The JetStream meta-cluster view of one server (`/jsz`). */
export async function jetStreamInfo(server: NatsServer): Promise<{ leader?: string; clusterSize?: number }> {
  const jsz = (await (await fetch(`${server.monitorUrl}/jsz`)).json()) as {
    meta_cluster?: { leader?: string; cluster_size?: number };
  };
  return { leader: jsz.meta_cluster?.leader || undefined, clusterSize: jsz.meta_cluster?.cluster_size };
}
