/**
 * Per-invocation overhead of the Lambda path against the self-hosted runtime (issue 13), side by
 * side in one run, each side its own processes on its own nats-server:
 *  - self-hosted: one node (`dist/bin/storage-node.js`), HTTP and steps in process;
 *  - Lambda path: serverless-offline (HTTP functions as Lambdas) + the bridge invoking the
 *    NATS-triggered functions with the real AWS SDK `Invoke` on serverless-offline's endpoint.
 * Cases: a small HTTP request (GET /storage/health, sequential, latency per request) and one
 * image job (a 64×64 PNG as img_square: created_at → finished_at as the job record has them,
 * i.e. one transcode step and one storer invocation). Rounds alternate which side goes first;
 * the table shows medians and the ratio Lambda / self-hosted.
 *
 *   npm run bench:lambda [-- --rounds 5 --requests 50 --images 5]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { newPrivateKeyHex } from '../shared/identity/wallet';
import { startBridgeProcess } from '../shared/local/bridge-process';
import { startNatsCluster, type NatsCluster } from '../shared/local/nats-server';
import { startOffline } from '../shared/local/offline-process';
import { freePort } from '../shared/local/ports';
import { startStorageNodeProcess } from '../shared/local/storage-node-process';
import { median } from './lib/stats';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg('rounds', 5);
const REQUESTS = arg('requests', 50);
const IMAGES = arg('images', 5);

interface Side {
  name: string;
  url: string;
}

/** Median latency (ms) of `REQUESTS` sequential GET /storage/health. */
async function httpLatency(side: Side): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const t = performance.now();
    const res = await fetch(`${side.url}/storage/health`);
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${side.name}: health answered ${res.status}`);
    times.push(performance.now() - t);
  }
  return median(times);
}

/** Median ms from a job's creation to its end (step + storer), over `IMAGES` uploads one at a time. */
async function imageJob(side: Side, png: Buffer): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < IMAGES; i++) {
    const form = new FormData();
    form.append('template', 'img_square');
    form.append('files', new Blob([png], { type: 'image/png' }), `cover-${i}.png`);
    const res = await fetch(`${side.url}/storage/file`, { method: 'POST', body: form });
    const [job] = (await res.json()) as { id: string }[];
    if (!res.ok) throw new Error(`${side.name}: upload answered ${res.status} ${JSON.stringify(job)}`);
    times.push(await waitDone(side, job.id));
  }
  return median(times);
}

async function waitDone(side: Side, id: string): Promise<number> {
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    const job = (await (await fetch(`${side.url}/storage/jobs/${id}`)).json()) as {
      status: string;
      created_at: string;
      finished_at?: string;
      error?: string;
    };
    if (job.status === 'error') throw new Error(`${side.name}: job ${id} failed: ${job.error}`);
    if (job.status === 'done') return Date.parse(job.finished_at!) - Date.parse(job.created_at);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${side.name}: job ${id} not done within 120 s`);
}

function nodeEnv(dir: string, nats: NatsCluster): Record<string, string> {
  return {
    NATS_SERVER_URL: nats.urls.join(','),
    storage_driver_url: `file://${dir}/blobs`,
    AUDIUS_DATA_DIR: `${dir}/data`,
    AUDIUS_DELEGATE_PRIVATE_KEY: newPrivateKeyHex(),
    AUDIUS_TEMP_BUCKETS: '1',
    AUDIUS_REPLICATION_FACTOR: '1',
    AUDIUS_GATED_VARIANTS: 'none',
    AUDIUS_UPLOAD_MODE: 'open',
    AUDIUS_UPLOADS_PER_CLIENT_PER_MINUTE: '0',
  };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-lambda-'));
  const stops: (() => Promise<unknown>)[] = [];
  try {
    const png = await sharp({
      create: { width: 64, height: 64, channels: 3, background: { r: 200, g: 40, b: 90 } },
    })
      .png()
      .toBuffer();
    const natsA = await startNatsCluster({ size: 1, dataDir: path.join(dir, 'nats-a') });
    stops.push(() => natsA.stop());
    const natsB = await startNatsCluster({ size: 1, dataDir: path.join(dir, 'nats-b') });
    stops.push(() => natsB.stop());
    const port = await freePort();
    const node = await startStorageNodeProcess('self-hosted', {
      ...nodeEnv(path.join(dir, 'self'), natsA),
      AUDIUS_PORT: String(port),
      AUDIUS_HOST: `http://127.0.0.1:${port}`,
    });
    stops.push(() => node.stop(10_000));
    const lambdaEnv = {
      ...process.env,
      ...nodeEnv(path.join(dir, 'lambda'), natsB),
      AUDIUS_STEP_INVOKER: 'lambda',
    };
    const offline = await startOffline({ env: lambdaEnv, readyPath: '/storage/health' });
    stops.push(() => offline.stop());
    const bridge = await startBridgeProcess({
      env: { ...lambdaEnv, AUDIUS_LAMBDA_ENDPOINT: offline.lambdaEndpoint },
    });
    stops.push(() => bridge.child.stop(10_000));
    const sides: Side[] = [
      { name: 'self-hosted', url: node.url },
      { name: 'lambda', url: offline.url },
    ];
    // Warm-up: the first invocation of each function loads its module (a cold start).
    for (const side of sides) {
      await httpLatency(side);
      await imageJob(side, png);
    }
    const results: Record<string, { http: number[]; image: number[] }> = {
      'self-hosted': { http: [], image: [] },
      lambda: { http: [], image: [] },
    };
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) {
        results[side.name].http.push(await httpLatency(side));
        results[side.name].image.push(await imageJob(side, png));
      }
      console.log(`round ${round + 1}/${ROUNDS}: ${JSON.stringify(results)}`);
    }
    const row = (what: string, key: 'http' | 'image') => {
      const self = median(results['self-hosted'][key]);
      const lambda = median(results.lambda[key]);
      return `| ${what} | ${self.toFixed(1)} ms | ${lambda.toFixed(1)} ms | ${(lambda / self).toFixed(2)}× |`;
    };
    console.log(
      `\nload: ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} (${os.cpus().length} cores)`,
    );
    console.log('| case | self-hosted (median) | Lambda path (median) | ratio |');
    console.log('| --- | ---: | ---: | ---: |');
    console.log(row(`GET /storage/health (${REQUESTS} sequential requests a round)`, 'http'));
    console.log(row(`img_square 64×64, created → done (${IMAGES} jobs a round)`, 'image'));
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
