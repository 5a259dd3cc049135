/**
 * Read-path benchmark (issue 14): one node against Debian's nginx (one worker, sendfile on)
 * serving the very same files from the node's own blob directory, driven by wrk (Debian's),
 * each of the three in its own process. Every case runs several rounds, alternating which
 * server goes first; the table shows medians and the ratio node / nginx.
 *
 *   npm run bench:serve [-- --rounds 3 --seconds 5 --connections 50 --storm-files 100000
 *                          --cold-files 5000 --cache-mb 256 --only ranges]
 *
 * Cases: a 4 KB artwork JPEG (req/s), a whole 12 MB MP3 (MB/s), random 64 KiB ranges of it
 * (req/s), a 302 for a file held elsewhere (req/s), a cold cache (each of `cold-files`
 * distinct 4 KB files read once, req/s), and a read storm over `storm-files` distinct 4 KB
 * files with the node's RSS growth against its read-cache budget. The small-file and range
 * cases also run against a bare node:http server holding the files in memory (bench/lib/
 * bare-node.ts), Node's own floor for them, in a second table. nginx and wrk are
 * installed by scripts/ensure-binaries.sh --with-serve-bench (apt-get as root).
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { openFileStore } from '../shared/blob/file-store';
import { RESERVED_PREFIX } from '../shared/blob/keys';
import { newId } from '../shared/jobs/ids';
import { longTermKey } from '../shared/jobs/keys';
import { startNatsCluster } from '../shared/local/nats-server';
import { freePort, waitFor } from '../shared/local/ports';
import { startStorageNodeProcess, type StorageNodeProcess } from '../shared/local/storage-node-process';
import { PROJECT_ROOT } from '../shared/paths';
import { startBareNode } from './lib/bare-node';
import { nginxVersion, startNginx } from './lib/nginx';
import { cpuSeconds, rssBytes } from './lib/proc';
import { median } from './lib/stats';
import { runWrk, type WrkResult, type WrkScript } from './lib/wrk';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg('rounds', 3);
const SECONDS = arg('seconds', 5);
const CONNECTIONS = arg('connections', 50);
const STORM_FILES = arg('storm-files', 100_000);
const COLD_FILES = arg('cold-files', 5000);
const CACHE_MB = arg('cache-mb', 256);
/** `--only ranges`: just the cases whose label has this text (profiling one read path). */
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
if (process.argv.includes('--only') && !ONLY) throw new Error('--only needs a case label (or part of one)');
const wanted = (label: string) => ONLY === undefined || label.includes(ONLY);
const SMALL = 4096;
const LARGE = 12 * 1024 * 1024;
const RANGE = 64 * 1024;

interface Work {
  connections: number;
  seconds: number;
  dir: string;
}

type Run = WrkResult & { cpu: number };

interface Stored {
  name: string;
  key: string;
}

/** What a row shows: a figure per server and, where the issue sets one, the target ratio. */
interface Figure {
  label: string;
  unit: 'req/s' | 'MB/s';
  target?: number;
}

/** A case whose requests are the same every round: how each server is asked. */
interface Case extends Figure {
  node: WrkScript;
  nginx: WrkScript;
  seconds?: number;
  connections?: number;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const keyOf = (name: string) => longTermKey('0', 3, name);
const nodePath = (name: string) => `/storage/long-term/file/${name}`;

async function main(): Promise<void> {
  execFileSync('bash', [path.join(PROJECT_ROOT, 'scripts/ensure-binaries.sh'), '--with-serve-bench'], {
    stdio: 'inherit',
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv2-serve-'));
  const nats = await startNatsCluster({ size: 1, dataDir: path.join(dir, 'nats') });
  const blobs = path.join(dir, 'blobs');
  const nodes: StorageNodeProcess[] = [];
  let nginx: Awaited<ReturnType<typeof startNginx>> | undefined;
  let bare: Awaited<ReturnType<typeof startBareNode>> | undefined;
  try {
    const t = performance.now();
    const { artwork, track, storm } = await seed(blobs);
    console.log(`seeded ${storm.length + 2} files in ${((performance.now() - t) / 1000).toFixed(0)} s`);
    // The node under test, and a second (empty) member for it to redirect to.
    const a = await startNode('bench-a', blobs, nats.urls, true);
    nodes.push(a);
    const b = await startNode('bench-b', path.join(dir, 'blobs-b'), nats.urls, false);
    nodes.push(b);
    const elsewhere = `${newId()}_150.jpg`;
    await waitFor(
      'node A to redirect to node B',
      async () => (await fetch(`${a.url}${nodePath(elsewhere)}`, { redirect: 'manual' })).status === 302,
      30_000,
    );
    nginx = await startNginx({
      dir: path.join(dir, 'nginx'),
      root: blobs,
      port: await freePort(),
      redirectTo: b.url,
    });
    await sameAnswers(a.url, nginx.url, artwork, track);
    const work: Work = { connections: CONNECTIONS, seconds: SECONDS, dir };
    const nodeServer: Server = { url: a.url, pid: a.process.pid! };
    const nginxServer: Server = { url: nginx.url, pid: nginx.pid };
    printSetup(a);

    const warm: Case[] = [
      {
        label: '4 KB artwork JPEG',
        unit: 'req/s',
        node: { kind: 'fixed', path: nodePath(artwork.name) },
        nginx: { kind: 'fixed', path: `/${artwork.key}` },
        target: 0.5,
      },
      {
        label: 'whole 12 MB MP3',
        unit: 'MB/s',
        node: { kind: 'fixed', path: nodePath(track.name) },
        nginx: { kind: 'fixed', path: `/${track.key}` },
        target: 0.8,
        // Fewer connections and longer runs: 50 connections sharing the link fairly would each
        // finish their 12 MB at about the same time, after most of a short run.
        connections: Math.min(CONNECTIONS, 10),
        seconds: SECONDS * 3,
      },
      {
        label: 'random 64 KiB ranges of the MP3',
        unit: 'req/s',
        node: { kind: 'ranges', path: nodePath(track.name), size: LARGE, chunk: RANGE },
        nginx: { kind: 'ranges', path: `/${track.key}`, size: LARGE, chunk: RANGE },
        target: 0.8,
      },
      {
        label: '302 for a file held elsewhere',
        unit: 'req/s',
        node: { kind: 'fixed', path: nodePath(elsewhere) },
        nginx: { kind: 'fixed', path: `/redirect/${elsewhere}` },
      },
    ];
    const rows: string[] = [];
    for (const c of warm.filter((w) => wanted(w.label))) {
      // Warm-up, both sides: the node's cache and JIT, nginx's and the kernel's caches.
      const run = { ...work, seconds: c.seconds ?? SECONDS, connections: c.connections ?? CONNECTIONS };
      await runWrk(a.url, c.node, { ...run, seconds: 2 });
      await runWrk(nginx.url, c.nginx, { ...run, seconds: 2 });
      rows.push(await measure(c, nodeServer, nginxServer, run, () => [c.node, c.nginx]));
    }
    const coldAndStorm = async (): Promise<string[]> => {
      const rssBefore = rssBytes(a.process.pid!);
      // Cold: every round reads files neither the node's cache nor the node has seen.
      const coldSlices = Array.from({ length: ROUNDS }, (_, r) =>
        storm.slice(r * COLD_FILES, (r + 1) * COLD_FILES),
      );
      let round = 0;
      const cold = await measure(
        { label: `cold cache: ${COLD_FILES} distinct 4 KB files, each once`, unit: 'req/s' },
        nodeServer,
        nginxServer,
        { ...work, seconds: 120 },
        () => {
          const slice = coldSlices[round++];
          return [
            { kind: 'list', paths: slice.map((f) => nodePath(f.name)) },
            { kind: 'list', paths: slice.map((f) => `/${f.key}`) },
          ];
        },
      );
      return [cold, ...(await storm100k(a, nginxServer, storm, rssBefore, { ...work, seconds: 600 }))];
    };
    // Node's floor for the two reads furthest from nginx: the same wrk scripts against a bare
    // node:http server holding the files in memory, in its own process.
    const floorCases = warm.filter((w) => w.target !== undefined && w.unit === 'req/s' && wanted(w.label));
    const floorRows: string[] = [];
    if (floorCases.length > 0) {
      bare = await startBareNode({
        port: await freePort(),
        files: { '/artwork': path.join(blobs, artwork.key), '/track': path.join(blobs, track.key) },
      });
      const bareServer: Server = { url: bare.url, pid: bare.pid };
      for (const c of floorCases) {
        const floor: WrkScript =
          c.nginx.kind === 'ranges' ? { ...c.nginx, path: '/track' } : { kind: 'fixed', path: '/artwork' };
        await runWrk(bare.url, floor, { ...work, seconds: 2 });
        floorRows.push(await measure(c, nodeServer, bareServer, work, () => [c.node, floor], 'bare node'));
      }
    }
    if (wanted('cold cache') || wanted('read storm')) rows.push(...(await coldAndStorm()));
    console.log(
      `\nwrk -t1 -c${CONNECTIONS} (the whole MP3: -c${Math.min(CONNECTIONS, 10)}), medians of ${ROUNDS} rounds`,
    );
    console.log('| read | node | nginx | ratio node/nginx (target) |');
    console.log('| --- | ---: | ---: | ---: |');
    for (const row of rows) console.log(row);
    console.log(
      "\nThe same reads against a bare node:http server holding the files in memory (Node's floor):",
    );
    console.log('| read | node | bare Node http | ratio node/bare |');
    console.log('| --- | ---: | ---: | ---: |');
    for (const row of floorRows) console.log(row.replace(/ \(≥ [^)]*\)/, ''));
  } finally {
    await bare?.child.stop();
    await nginx?.child.stop();
    for (const n of nodes.reverse()) await n.stop();
    await nats.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A server under test: where it listens and the process whose CPU time counts. */
interface Server {
  url: string;
  pid: number;
}

/** One wrk run against `server`, with the server's CPU seconds over the run. */
async function timed(server: Server, script: WrkScript, work: Work, what: string): Promise<Run> {
  const before = cpuSeconds(server.pid);
  const result = checked(await runWrk(server.url, script, work), server.url, what);
  return { ...result, cpu: cpuSeconds(server.pid) - before };
}

/**
 * `ROUNDS` rounds of one case, alternating which server goes first; a Markdown row of
 * medians, with each server's CPU time per request (per MB for throughput cases).
 */
async function measure(
  c: Figure,
  node: Server,
  nginx: Server,
  work: Work,
  scripts: () => [WrkScript, WrkScript],
  baselineName = 'nginx',
): Promise<string> {
  const ours: Run[] = [];
  const theirs: Run[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const [nodeScript, nginxScript] = scripts();
    const runNode = async () => ours.push(await timed(node, nodeScript, work, c.label));
    const runNginx = async () => theirs.push(await timed(nginx, nginxScript, work, c.label));
    if (r % 2 === 0) {
      await runNode();
      await runNginx();
    } else {
      await runNginx();
      await runNode();
    }
  }
  const figure = (x: Run) => (c.unit === 'MB/s' ? x.mbps : x.rps);
  const cost = (xs: Run[]) =>
    c.unit === 'MB/s'
      ? `${fmt(median(xs.map((x) => (x.cpu * 1000) / (x.bytes / 1e6))))} ms/MB`
      : `${fmt(median(xs.map((x) => (x.cpu * 1e6) / x.requests)))} µs/req`;
  const o = median(ours.map(figure));
  const n = median(theirs.map(figure));
  const spread = (xs: Run[]) => xs.map((x) => fmt(figure(x))).join(', ');
  console.log(`${c.label}: node ${spread(ours)} ${c.unit}; ${baselineName} ${spread(theirs)} ${c.unit}`);
  const target = c.target ? ` (≥ ${c.target} ${o / n >= c.target ? 'met' : 'missed'})` : '';
  return `| ${c.label}, ${c.unit} | ${fmt(o)} (CPU ${cost(ours)}) | ${fmt(n)} (CPU ${cost(theirs)}) | ${(o / n).toFixed(2)}${target} |`;
}

/** Every storm file once through the node, then nginx; the node's RSS sampled throughout. */
async function storm100k(
  a: StorageNodeProcess,
  nginxServer: Server,
  storm: Stored[],
  rssBefore: number,
  work: Work,
): Promise<string[]> {
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(a.process.pid!))), 200);
  const node = await timed(
    { url: a.url, pid: a.process.pid! },
    { kind: 'list', paths: storm.map((f) => nodePath(f.name)) },
    work,
    'storm',
  );
  clearInterval(sampler);
  const after = rssBytes(a.process.pid!);
  peak = Math.max(peak, after);
  const nginx = await timed(
    nginxServer,
    { kind: 'list', paths: storm.map((f) => `/${f.key}`) },
    work,
    'storm',
  );
  const metrics = await (await fetch(`${a.url}/storage/metrics`)).text();
  const held = Number(/^storage_read_cache_bytes (\S+)/m.exec(metrics)?.[1] ?? NaN);
  const mb = (x: number) => `${(x / 1024 / 1024).toFixed(0)} MiB`;
  console.log(
    `storm: node RSS ${mb(rssBefore)} before the cold reads, ${mb(peak)} peak, ${mb(after)} after; ` +
      `cache holds ${mb(held)} of its ${CACHE_MB} MiB budget`,
  );
  return [
    `| read storm: ${storm.length.toLocaleString('en')} distinct 4 KB files, each once, req/s | ${fmt(node.rps)} (CPU ${fmt((node.cpu * 1e6) / node.requests)} µs/req) | ${fmt(nginx.rps)} (CPU ${fmt((nginx.cpu * 1e6) / nginx.requests)} µs/req) | ${(node.rps / nginx.rps).toFixed(2)} |`,
    `| node RSS growth over the cold reads and the storm (cache budget ${CACHE_MB} MiB; cache holds ${mb(held)}) | +${mb(peak - rssBefore)} peak | — | ${peak - rssBefore <= CACHE_MB * 1024 * 1024 * 1.25 ? 'within' : 'over'} budget + 25 % |`,
  ];
}

/**
 * The files, through the node's own store driver (sidecars and all), before the node starts.
 * The storm's files are hard links of a few stored files under distinct names (data and
 * sidecar: same inode, so the sidecar describes each): the cache holds one buffer per name
 * whatever the bytes, and 100,000 fsynced puts would take longer than the benchmark.
 */
async function seed(blobs: string): Promise<{ artwork: Stored; track: Stored; storm: Stored[] }> {
  const store = await openFileStore(blobs);
  const put = async (name: string, bytes: Buffer, contentType: string): Promise<Stored> => {
    await store.put(keyOf(name), Readable.from([bytes]), { sha256: sha(bytes), contentType });
    return { name, key: keyOf(name) };
  };
  const artwork = await put(`${newId()}_150.jpg`, randomBytes(SMALL), 'image/jpeg');
  const track = await put(`${newId()}_320.mp3`, randomBytes(LARGE), 'audio/mpeg');
  const sidecar = (key: string) => path.join(blobs, `${RESERVED_PREFIX}meta`, `${key}.json`);
  const storm: Stored[] = [];
  let template: Stored | undefined;
  for (let i = 0; i < STORM_FILES; i++) {
    // 36 shards (the id's last 3 characters), not 46,656 directories of one file each.
    const name = `${newId().slice(0, 22)}s0${(i % 36).toString(36)}_150.jpg`;
    const key = keyOf(name);
    // A new stored file every 30,000 names: a file system caps the links to one inode (ext4: 65,000).
    if (i % 30_000 === 0) {
      template = await put(name, randomBytes(SMALL), 'image/jpeg');
    } else {
      fs.mkdirSync(path.dirname(store.localPath(key)), { recursive: true });
      fs.mkdirSync(path.dirname(sidecar(key)), { recursive: true });
      fs.linkSync(store.localPath(template!.key), store.localPath(key));
      fs.linkSync(sidecar(template!.key), sidecar(key));
    }
    storm.push({ name, key });
  }
  await store.close();
  return { artwork, track, storm };
}

async function startNode(
  name: string,
  blobs: string,
  natsUrls: string[],
  waitForCatalog: boolean,
): Promise<StorageNodeProcess> {
  let catalogued: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (catalogued = resolve));
  const node = await startStorageNodeProcess(
    name,
    {
      AUDIUS_PORT: String(await freePort()),
      AUDIUS_DATA_DIR: path.join(path.dirname(blobs), `data-${name}`),
      storage_driver_url: `file://${blobs}`,
      NATS_SERVER_URL: natsUrls.join(','),
      AUDIUS_GATED_VARIANTS: 'none', // public reads, as nginx serves them; bench:access measures signed ones
      AUDIUS_READ_CACHE_MB: String(CACHE_MB),
      // No background work during the measurement: repair would copy the seeded files to the
      // second node, the scrub would re-hash them.
      AUDIUS_REPAIR_DEBOUNCE_SECONDS: '86400',
      AUDIUS_REPAIR_EVERY: '1000 minutes',
      AUDIUS_SCRUB_MBPS: '0',
      LOG_LEVEL: 'info',
    },
    (line) => {
      if (line.includes('catalog of the long-term store ready')) catalogued();
      else if (/"level":(40|50|60)/.test(line)) console.error(`${name}: ${line}`);
    },
    120_000,
  );
  if (waitForCatalog) await ready; // listing the store at start must not overlap the measurement
  return node;
}

/** Both servers answer the same bytes (the same file behind two URLs) before anything is timed. */
async function sameAnswers(nodeUrl: string, nginxUrl: string, ...files: Stored[]): Promise<void> {
  for (const f of files) {
    const [o, n] = await Promise.all(
      [`${nodeUrl}${nodePath(f.name)}`, `${nginxUrl}/${f.key}`].map(async (u) => {
        const res = await fetch(u);
        return `${res.status} ${sha(Buffer.from(await res.arrayBuffer()))}`;
      }),
    );
    if (o !== n || !o.startsWith('200 ')) throw new Error(`${f.name}: node answers ${o}, nginx ${n}`);
  }
}

function checked<T extends WrkResult>(r: T, who: string, what: string): T {
  if (r.errors > 0 || r.requests === 0)
    throw new Error(`${who}, ${what}: ${r.errors} errors in ${r.requests} requests`);
  return r;
}

function fmt(x: number): string {
  return x >= 100 ? Math.round(x).toLocaleString('en') : x.toFixed(1);
}

function printSetup(a: StorageNodeProcess): void {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `${os.cpus().length} × ${cpu}, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}; ` +
      `Node ${process.version}, ${nginxVersion()}, ` +
      `wrk -t1 -c${CONNECTIONS}, ${SECONDS} s a run, ${ROUNDS} rounds, alternating order; node ${a.url}, cache ${CACHE_MB} MiB`,
  );
}

void main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
