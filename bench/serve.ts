/**
 * Read-path benchmark: a node serving a stored file (`GET /storage/long-term/file/…`, the
 * whole stack: routing, blob head, ETag, streaming) against a bare Node static file server
 * streaming the same bytes from disk, side by side in one run.
 *
 *   npm run build && node dist/bench/serve.js [--requests 300] [--concurrency 8]
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { openBlobStore } from '../shared/blob/open';
import { startNatsCluster } from '../shared/local/nats-server';
import { freePort } from '../shared/local/ports';
import { startStorageNodeProcess } from '../shared/local/storage-node-process';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const REQUESTS = arg('requests', 300);
const CONCURRENCY = arg('concurrency', 8);
const ID = 'benchserve00000000000a1b2';
/** A track-sized and a thumbnail-sized file: throughput, then per-request overhead. */
const FILES = [
  { name: `${ID}_320.mp3`, size: 5 * 1024 * 1024, label: '5 MiB MP3' },
  { name: `${ID}_150.jpg`, size: 20 * 1024, label: '20 KiB JPEG' },
];

async function timeRequests(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ ms: number; bytes: number }> {
  let next = 0;
  let bytes = 0;
  const started = performance.now();
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const one = () =>
    new Promise<void>((resolve, reject) => {
      http
        .get(url, { agent, headers }, (res) => {
          if ((res.statusCode ?? 0) >= 300) return reject(new Error(`${url}: HTTP ${res.statusCode}`));
          res.on('data', (c: Buffer) => (bytes += c.length));
          res.on('end', resolve);
        })
        .on('error', reject);
    });
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < REQUESTS) await one();
    }),
  );
  agent.destroy();
  return { ms: performance.now() - started, bytes };
}

/** The baseline: stat + stream from disk, nothing else. */
function staticServer(dir: string): Promise<{ url: string; close: () => void }> {
  const server = http.createServer((req, res) => {
    const file = path.join(dir, path.basename(req.url ?? ''));
    res.writeHead(200, { 'content-length': fs.statSync(file).size });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${port}`, close: () => server.close() });
    }),
  );
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv2-serve-'));
  const nats = await startNatsCluster({ size: 1, dataDir: path.join(dir, 'nats') });
  const rawDir = path.join(dir, 'raw');
  fs.mkdirSync(rawDir);
  const storeUrl = `file://${path.join(dir, 'blobs')}`;
  const store = await openBlobStore(storeUrl);
  for (const f of FILES) {
    const bytes = randomBytes(f.size);
    fs.writeFileSync(path.join(rawDir, f.name), bytes);
    await store.put(`0_${ID.slice(-3)}/${f.name}`, Readable.from([bytes]), {});
  }
  await store.close();
  const port = await freePort();
  const node = await startStorageNodeProcess('bench', {
    AUDIUS_PORT: String(port),
    AUDIUS_DATA_DIR: path.join(dir, 'data'),
    storage_driver_url: storeUrl,
    NATS_SERVER_URL: nats.urls.join(','),
    AUDIUS_GATED_VARIANTS: 'none', // bare serving; bench/access.ts measures signed reads
    LOG_LEVEL: 'warn',
  });
  const bare = await staticServer(rawDir);
  try {
    console.log(`${REQUESTS} requests per case, ${CONCURRENCY} at a time`);
    console.log('| file | ours (req/s) | bare static server (req/s) | ours MiB/s | time ratio ours/bare |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    for (const f of FILES) {
      const ours = `http://127.0.0.1:${port}/storage/long-term/file/${f.name}`;
      await timeRequests(ours); // warm-up both sides
      await timeRequests(`${bare.url}/${f.name}`);
      const o = await timeRequests(ours);
      const b = await timeRequests(`${bare.url}/${f.name}`);
      const rps = (r: { ms: number }) => (REQUESTS / r.ms) * 1000;
      const mibs = (o.bytes / 1024 / 1024 / (o.ms / 1000)).toFixed(0);
      console.log(
        `| ${f.label} | ${rps(o).toFixed(0)} | ${rps(b).toFixed(0)} | ${mibs} | ${(o.ms / b.ms).toFixed(2)} |`,
      );
    }
  } finally {
    bare.close();
    await node.stop();
    await nats.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
