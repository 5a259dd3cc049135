#!/usr/bin/env node
/**
 * `npm start`: a local cluster on embedded defaults — a 3-server NATS cluster with
 * JetStream and 3 storage nodes on 127.0.0.1:9924-9926 (`--single`: one of each).
 * Ctrl-C stops everything and waits until every process is gone.
 */
import path from 'node:path';
import { startNatsCluster, type NatsCluster } from '../shared/local/nats-server';
import { startStorageNodeProcess, type StorageNodeProcess } from '../shared/local/storage-node-process';
import { PROJECT_ROOT } from '../shared/paths';

const FIRST_HTTP_PORT = 9924;
const FIRST_NATS_PORT = 4222;

function nodeCount(argv: string[]): number {
  if (argv.includes('--single')) return 1;
  const flag = argv.find((a) => a.startsWith('--nodes='));
  if (!flag) return 3;
  const n = Number(flag.split('=')[1]);
  if (!Number.isInteger(n) || n < 1 || n > 20) {
    console.error(`--nodes takes a whole number from 1 to 20, not ${flag.split('=')[1]}`);
    process.exit(1);
  }
  return n;
}

/**
 * The local cluster runs open unless told otherwise (issue 11): reads need no signature and
 * uploads none. A node's own default (docker compose, production) is the secure policy.
 */
const DEV_ACCESS = {
  AUDIUS_GATED_VARIANTS: process.env.AUDIUS_GATED_VARIANTS || 'none',
  AUDIUS_UPLOAD_MODE: process.env.AUDIUS_UPLOAD_MODE || 'open',
};

function accessBanner(): string {
  const open = ['none', 'open'].includes(DEV_ACCESS.AUDIUS_GATED_VARIANTS);
  const reads = open ? 'OPEN: no read needs a signature' : `gated: ${DEV_ACCESS.AUDIUS_GATED_VARIANTS}`;
  const hint = open
    ? ' (local dev; AUDIUS_GATED_VARIANTS=audio:320 gates full tracks, see `npm run sign-url`)'
    : '';
  return `  access: reads ${reads}; uploads ${DEV_ACCESS.AUDIUS_UPLOAD_MODE}${hint}`;
}

function printer(name: string) {
  const label = `[${name}]`.padEnd(8);
  return (line: string) => process.stdout.write(`${label} ${line}\n`);
}

async function main(): Promise<void> {
  const count = nodeCount(process.argv.slice(2));
  const dataDir = path.join(PROJECT_ROOT, '.data');
  const storageTemplate =
    process.env.storage_driver_url ||
    process.env.AUDIUS_STORAGE_DRIVER_URL ||
    'file:///tmp/audius_storage/{node}';
  let nats: NatsCluster | undefined;
  const nodes: StorageNodeProcess[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('stopping the cluster…');
    await Promise.allSettled(nodes.map((n) => n.stop()));
    await nats?.stop();
    console.log('stopped: no node or nats-server left running');
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    const natsSize = Math.min(count, 3);
    nats = await startNatsCluster({
      size: natsSize,
      dataDir: path.join(dataDir, 'nats'),
      clientPorts: Array.from({ length: natsSize }, (_, i) => FIRST_NATS_PORT + i),
      onLine: (name, line) => printer(name)(line),
    });
    console.log(
      `NATS ${natsSize > 1 ? `cluster of ${natsSize}` : 'server'} with JetStream: ${nats.urls.join(', ')}`,
    );
    for (let i = 0; i < count; i++) {
      const name = `node${i + 1}`;
      const port = FIRST_HTTP_PORT + i;
      const node = await startStorageNodeProcess(
        name,
        {
          AUDIUS_PORT: String(port),
          AUDIUS_HOST: `http://127.0.0.1:${port}`,
          AUDIUS_DATA_DIR: path.join(dataDir, name),
          AUDIUS_NATS_REPLICAS: String(natsSize),
          NATS_SERVER_URL: nats.urls.join(','),
          storage_driver_url: storageTemplate.replace('{node}', name),
          LOG_FORMAT: process.env.LOG_FORMAT ?? 'pretty',
          ...DEV_ACCESS,
        },
        printer(name),
        60_000,
      );
      nodes.push(node);
      void node.exited.then((code) => !stopping && console.error(`${name} exited unexpectedly (${code})`));
    }
    console.log('\nStorage V2 local cluster is up:');
    for (const n of nodes) console.log(`  ${n.name}  ${n.url}/storage   (health: ${n.url}/storage/health)`);
    console.log('  weather map: http://127.0.0.1:9924/storage/weather/');
    console.log(accessBanner());
    console.log('Press Ctrl-C to stop.\n');
  } catch (err) {
    console.error(`the local cluster failed to start: ${(err as Error).message}`);
    await stopAll(1);
  }
}

void main();
