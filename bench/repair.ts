/**
 * Repair benchmark (shared/repair/): three measurements on real clusters (real nats-server,
 * `dist/bin/storage-node.js` processes), each with its baseline taken in the same run.
 *
 * 1. Throughput: 4 nodes, R = 3. Files of mixed sizes (20 KB … 20 MB) are written straight
 *    into the nodes' file stores with the project's blob driver (data + sidecar), each on its
 *    3 owners, every file on the node that will die. `kill -9` that node and time until each
 *    file is, verified, on its new owner (read from disk and hashed). AUDIUS_REPAIR_MAX_MBPS=0
 *    here. Baseline: a separate process copying the same files between two directories
 *    (streams, fsync per file, one at a time); `cp -r` (no fsync) shown for reference.
 * 2. Foreground cost: p99 of 64 KiB range reads (`?localOnly=true`, 4 at a time, from a
 *    separate process) on a node that serves as a pull source, idle vs while the dead node
 *    returns with an empty disk and refills at the default bandwidth cap (its first 30 s).
 * 3. Idle pass: 3 nodes, R = 3, 100,000 files each (driver puts on one node, hard links of
 *    them on the other two: same inodes, so the sidecars still vouch for them); the time and
 *    peer requests of a repair pass
 *    that finds nothing to do (/storage/health `repair.lastPass*`), and the start-up time to
 *    catalog the store ('catalog of the long-term store ready').
 *
 * The scrub is off (AUDIUS_SCRUB_MBPS=0) so it does not compete with what is measured.
 *
 *   npm run bench:repair [-- --share-mb 1160 --rounds 3 --idle-files 100000]
 */
import { execFileSync, fork } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { mapLimit } from '../shared/blob/concurrency';
import { openBlobStore } from '../shared/blob/open';
import type { BlobStore } from '../shared/blob/types';
import { identityFromHex, newPrivateKeyHex } from '../shared/identity/wallet';
import { newId } from '../shared/jobs/ids';
import { startNatsCluster, type NatsCluster } from '../shared/local/nats-server';
import { freePort } from '../shared/local/ports';
import { startStorageNodeProcess, type StorageNodeProcess } from '../shared/local/storage-node-process';
import { Ring } from '../shared/placement/mod';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const MB = 1_000_000;
const SHARD_LENGTH = 3;
const RANGE_BYTES = 64 * 1024;
const DEFAULT_CAP_MBPS = 64; // shared/config.ts repairMaxMBps default
const IDLE_WINDOW_MS = 12_000;
const BUSY_WINDOW_MS = 30_000;
/** Sizes of the throughput set and how many of each make 1,160 MB. */
const MIX = [
  { size: 20 * MB, count: 24, variant: '320', ext: 'mp3' },
  { size: 5 * MB, count: 80, variant: '320', ext: 'mp3' },
  { size: 300_000, count: 800, variant: '1000x1000', ext: 'jpg' },
  { size: 20_000, count: 2000, variant: '150x150', ext: 'jpg' },
];

/** Settings that make repair act within seconds; the scrub is off. */
const FAST_ENV = {
  AUDIUS_HEARTBEAT_SECONDS: '1',
  AUDIUS_HEALTH_TTL_SECONDS: '3',
  AUDIUS_REPAIR_DEBOUNCE_SECONDS: '1',
  AUDIUS_REPAIR_EVERY: '5 seconds',
  AUDIUS_SCRUB_MBPS: '0',
  AUDIUS_NATS_REPLICAS: '1',
  AUDIUS_TEMP_BUCKETS: '2',
  AUDIUS_GATED_VARIANTS: 'none',
  AUDIUS_UPLOAD_MODE: 'open',
  // The load generator is one client address uploading thousands of files.
  AUDIUS_UPLOADS_PER_CLIENT: '64',
  AUDIUS_UPLOADS_PER_CLIENT_PER_MINUTE: '0',
  AUDIUS_REPLICATION_FACTOR: '3',
  LOG_LEVEL: 'info',
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  everyMs = 100,
) {
  const started = Date.now();
  for (;;) {
    if (
      await Promise.resolve()
        .then(check)
        .catch(() => false)
    )
      return;
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

const randomKey = newPrivateKeyHex;

// --- cluster -------------------------------------------------------------------------------

interface LogEvent {
  node: string;
  time: number;
  msg: string;
  [field: string]: unknown;
}

interface Spec {
  name: string;
  id: string;
  url: string;
  blobs: string;
  env: Record<string, string>;
}

class Cluster {
  readonly specs: Spec[] = [];
  readonly running = new Map<number, StorageNodeProcess>();
  readonly events: LogEvent[] = [];
  private readonly tails = new Map<string, string[]>();

  static async create(root: string, count: number, nats: NatsCluster): Promise<Cluster> {
    const c = new Cluster();
    for (let i = 0; i < count; i++) {
      const port = await freePort();
      const key = randomKey();
      const name = `node${i + 1}`;
      const blobs = path.join(root, name, 'blobs');
      c.specs.push({
        name,
        id: identityFromHex(key).address,
        url: `http://127.0.0.1:${port}`,
        blobs,
        env: {
          ...FAST_ENV,
          AUDIUS_PORT: String(port),
          AUDIUS_HOST: `http://127.0.0.1:${port}`,
          AUDIUS_DATA_DIR: path.join(root, name, 'data'),
          AUDIUS_DELEGATE_PRIVATE_KEY: key,
          storage_driver_url: `file://${blobs}`,
          NATS_SERVER_URL: nats.urls.join(','),
        },
      });
    }
    return c;
  }

  async start(i: number, env: Record<string, string> = {}, drop: string[] = []): Promise<number> {
    const spec = this.specs[i];
    const merged = { ...spec.env, ...env };
    for (const k of drop) delete merged[k];
    const spawnedAt = Date.now();
    const tail: string[] = [];
    this.tails.set(spec.name, tail);
    const node = await startStorageNodeProcess(
      spec.name,
      merged,
      (line) => {
        tail.push(line);
        if (tail.length > 40) tail.shift();
        if (!line.startsWith('{')) return;
        try {
          const e = JSON.parse(line) as { time: number; msg: string };
          if (e.msg === 'repair pass' || e.msg.startsWith('catalog of') || e.msg.includes('failed'))
            this.events.push({ ...e, node: spec.name });
        } catch {
          // not a log record
        }
      },
      120_000,
    );
    this.running.set(i, node);
    return spawnedAt;
  }

  async kill(i: number): Promise<void> {
    await this.running.get(i)?.kill();
    this.running.delete(i);
  }

  async stop(i: number): Promise<void> {
    await this.running.get(i)?.stop(10_000);
    this.running.delete(i);
  }

  async stopAll(): Promise<void> {
    await Promise.allSettled([...this.running.keys()].map((i) => this.stop(i)));
  }

  tail(i: number): string {
    return (this.tails.get(this.specs[i].name) ?? []).slice(-15).join('\n');
  }
}

async function health(url: string): Promise<any> {
  return (await fetch(`${url}/storage/health`)).json();
}

async function waitForMembers(urls: string[], count: number): Promise<void> {
  for (const url of urls)
    await until(
      `${url} sees ${count} healthy members`,
      async () =>
        (
          (await (await fetch(`${url}/storage/nodes`)).json()) as { nodes: { healthy: boolean }[] }
        ).nodes.filter((m) => m.healthy).length === count,
      60_000,
      200,
    );
}

/** Waits until every node in `urls` has ended a pass that started after `after` and none runs. */
async function waitForQuietPass(urls: string[], after: number): Promise<void> {
  await until(
    'a quiet pass on every node',
    async () =>
      (await Promise.all(urls.map(health))).every(
        (h) =>
          h.repair.lastPassAt &&
          Date.parse(h.repair.lastPassAt) - h.repair.lastPassSeconds * 1000 > after &&
          !h.repair.running,
      ),
    60_000,
    250,
  );
}

// --- 1 and 2: throughput and foreground cost -------------------------------------------------

interface SeedFile {
  name: string;
  key: string;
  size: number;
  sha256: string;
  owners: string[];
}

function planFiles(ids: string[], victim: string, scale: number): SeedFile[] {
  const ring = new Ring(
    ids.map((id) => ({ id })),
    { shardLength: SHARD_LENGTH, replicationFactor: 3 },
  );
  const files: SeedFile[] = [];
  for (const m of MIX) {
    for (let n = 0; n < Math.max(1, Math.round(m.count * scale)); n++) {
      let id = newId();
      while (!ring.owners(id.slice(-SHARD_LENGTH)).includes(victim)) id = newId();
      const shard = id.slice(-SHARD_LENGTH);
      const name = `${id}_${m.variant}.${m.ext}`;
      files.push({ name, key: `0_${shard}/${name}`, size: m.size, sha256: '', owners: ring.owners(shard) });
    }
  }
  return files;
}

/** Writes every file on its owners through the blob driver (stores opened before the nodes run). */
async function seed(files: SeedFile[], stores: Map<string, BlobStore>): Promise<void> {
  const pool = randomBytes(24 * MB);
  let i = 0;
  await mapLimit(files, 4, async (f) => {
    const n = i++;
    const body = Buffer.allocUnsafe(f.size);
    const offset = (n * 7_919 * 4_096) % (pool.length - f.size + 1);
    pool.copy(body, 0, offset, offset + f.size);
    body.writeUInt32BE(n, 0);
    f.sha256 = sha256(body);
    await Promise.all(
      f.owners.map((o) =>
        stores.get(o)!.put(f.key, Readable.from([body]), { sha256: f.sha256, size: f.size }),
      ),
    );
  });
}

/** Verified copies: the data file hashes to the expected digest and the sidecar says so. */
async function verifyOnDisk(blobs: string, files: SeedFile[]): Promise<string[]> {
  const bad: string[] = [];
  await mapLimit(files, 4, async (f) => {
    try {
      const data = await fs.promises.readFile(path.join(blobs, f.key));
      const meta = JSON.parse(
        await fs.promises.readFile(path.join(blobs, '.blob-meta', `${f.key}.json`), 'utf8'),
      ) as { sha256: string };
      if (sha256(data) !== f.sha256 || meta.sha256 !== f.sha256) bad.push(f.name);
    } catch {
      bad.push(f.name);
    }
  });
  return bad;
}

/** The baseline, in its own process: `--copy <src> <dst>`; prints `{bytes, files, seconds}`. */
async function copyMain(src: string, dst: string): Promise<void> {
  let bytes = 0;
  let files = 0;
  const started = performance.now();
  for (const folder of fs.readdirSync(src).filter((f) => f.startsWith('0_'))) {
    fs.mkdirSync(path.join(dst, folder), { recursive: true });
    for (const name of fs.readdirSync(path.join(src, folder))) {
      const from = path.join(src, folder, name);
      await pipeline(
        fs.createReadStream(from),
        fs.createWriteStream(path.join(dst, folder, name), { flush: true }),
      );
      bytes += fs.statSync(from).size;
      files += 1;
    }
  }
  console.log(JSON.stringify({ bytes, files, seconds: (performance.now() - started) / 1000 }));
}

function baselineCopy(src: string, dst: string): { seconds: number; cpSeconds: number } {
  const out = execFileSync(process.execPath, [__filename, '--copy', src, dst], { encoding: 'utf8' });
  fs.rmSync(dst, { recursive: true, force: true });
  fs.mkdirSync(dst);
  const folders = fs
    .readdirSync(src)
    .filter((f) => f.startsWith('0_'))
    .map((f) => path.join(src, f));
  const started = performance.now();
  execFileSync('cp', ['-r', ...folders, dst]);
  const cpSeconds = (performance.now() - started) / 1000;
  fs.rmSync(dst, { recursive: true, force: true });
  return { seconds: (JSON.parse(out) as { seconds: number }).seconds, cpSeconds };
}

/** The read load, in its own process (`--load <json>`): runs until told to stop, sends samples. */
async function loadMain(config: string): Promise<void> {
  const { base, files, concurrency } = JSON.parse(config) as {
    base: string;
    files: { name: string; size: number }[];
    concurrency: number;
  };
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const samples: number[] = []; // start time (epoch ms), latency (ms), …
  let errors = 0;
  let stop = false;
  process.on('message', (m) => (stop = m === 'stop'));
  const one = () =>
    new Promise<void>((resolve) => {
      const f = files[Math.floor(Math.random() * files.length)];
      const start = Math.floor(Math.random() * (f.size - RANGE_BYTES));
      const wall = Date.now();
      const t0 = performance.now();
      const fail = () => {
        errors += 1;
        setTimeout(resolve, 10);
      };
      http
        .get(
          `${base}/storage/long-term/file/${f.name}?localOnly=true`,
          { agent, headers: { range: `bytes=${start}-${start + RANGE_BYTES - 1}` } },
          (res) => {
            let n = 0;
            res.on('data', (c: Buffer) => (n += c.length));
            res.on('error', fail);
            res.on('end', () => {
              if (res.statusCode !== 206 || n !== RANGE_BYTES) return fail();
              samples.push(wall, performance.now() - t0);
              resolve();
            });
          },
        )
        .on('error', fail);
    });
  process.send!('ready');
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (!stop) await one();
    }),
  );
  agent.destroy();
  process.send!({ samples, errors }, () => process.exit(0));
}

interface Throughput {
  seconds: number;
  killToDone: number;
}

/** Kill the victim, time until each file is on its new owner; verified on disk. */
async function repairRound(c: Cluster, victim: number, files: SeedFile[]): Promise<Throughput> {
  const survivors = [...c.running.keys()].filter((i) => i !== victim);
  const urls = survivors.map((i) => c.specs[i].url);
  const pulledFiles = async () => (await Promise.all(urls.map(health))).map((h) => h.repair.pulled as number);
  const before = await pulledFiles();
  if (before.some((b) => b > 0)) throw new Error(`pulls before the kill: ${before.join(', ')} files`);
  const killedAt = Date.now();
  await c.kill(victim);
  // Polls /storage/health (cheap), not /storage/metrics (which walks the whole ring per scrape).
  await until(
    'the dead node’s share re-replicated',
    async () => (await pulledFiles()).reduce((a, b) => a + b, 0) >= files.length,
    300_000,
    200,
  );
  const doneAt = Date.now();
  // A pass that pulled knows when it started: its log's end time minus its duration.
  const pulling = () =>
    c.events.filter((e) => e.msg === 'repair pass' && e.time > killedAt && Number(e.pulled) > 0);
  await until(
    'the passes that pulled ended',
    () => new Set(pulling().map((e) => e.node)).size === survivors.length,
    120_000,
    200,
  );
  const start = Math.min(...pulling().map((e) => e.time - Number(e.seconds) * 1000));
  const aliveIds = new Set(survivors.map((i) => c.specs[i].id));
  for (const i of survivors) {
    const gained = files.filter((f) => !f.owners.includes(c.specs[i].id));
    const bad = await verifyOnDisk(c.specs[i].blobs, gained);
    if (bad.length)
      throw new Error(`${c.specs[i].name}: ${bad.length} files missing or wrong, e.g. ${bad[0]}`);
  }
  if (aliveIds.size !== 3) throw new Error('expected 3 survivors');
  return { seconds: (doneAt - start) / 1000, killToDone: (doneAt - killedAt) / 1000 };
}

async function throughputAndForeground(root: string, rounds: number, scale: number) {
  const nats = await startNatsCluster({ size: 1, dataDir: path.join(root, 'nats') });
  const c = await Cluster.create(root, 4, nats);
  const victim = 3;
  try {
    const ids = c.specs.map((s) => s.id);
    const files = planFiles(ids, ids[victim], scale);
    const share = files.reduce((n, f) => n + f.size, 0);
    const stores = new Map<string, BlobStore>();
    for (const s of c.specs) stores.set(s.id, await openBlobStore(`file://${s.blobs}`));
    let t = performance.now();
    await seed(files, stores);
    for (const s of stores.values()) await s.close();
    console.log(
      `seeded ${files.length} files, ${(share / MB).toFixed(0)} MB, on 3 owners each, in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );

    const results: { repair: Throughput; copy: number; cp: number }[] = [];
    for (let r = 0; r < rounds; r++) {
      const copyDir = path.join(root, 'copy');
      const base = baselineCopy(c.specs[victim].blobs, copyDir);
      t = Date.now();
      await Promise.all(c.specs.map((_, i) => c.start(i, { AUDIUS_REPAIR_MAX_MBPS: '0' })));
      await waitForMembers(
        c.specs.map((s) => s.url),
        4,
      );
      await waitForQuietPass(
        c.specs.map((s) => s.url),
        t,
      );
      const repair = await repairRound(c, victim, files);
      results.push({ repair, copy: base.seconds, cp: base.cpSeconds });
      console.log(
        `round ${r + 1}: repair ${repair.seconds.toFixed(2)} s (kill → done ${repair.killToDone.toFixed(1)} s), ` +
          `copy+fsync ${base.seconds.toFixed(2)} s, cp -r ${base.cpSeconds.toFixed(2)} s`,
      );
      for (const e of c.events.filter((x) => x.msg === 'repair pass' && x.time > t && Number(x.pulled) > 0))
        console.log(
          `  ${e.node} pass: pulled ${String(e.pulled)} in ${String(e.seconds)} s ` +
            `(listed ${String(e.listed)}, requests ${String(e.requests)}, failed ${String(e.pullFailed)})`,
        );
      if (r === rounds - 1) break;
      // Back to the seeded state: stop the survivors, drop the copies repair made.
      await c.stopAll();
      for (const [i, s] of c.specs.entries()) {
        if (i === victim) continue;
        const store = await openBlobStore(`file://${s.blobs}`);
        await mapLimit(
          files.filter((f) => !f.owners.includes(s.id)),
          8,
          (f) => store.delete(f.key),
        );
        await store.close();
      }
    }

    // 2. Foreground reads on a pull source, idle and while the victim refills an empty disk.
    const survivors = [...c.running.keys()];
    await until(
      'survivors idle',
      async () =>
        (await Promise.all(survivors.map((i) => health(c.specs[i].url)))).every((h) => !h.repair.running),
      120_000,
      250,
    );
    const target = c.specs[0];
    const big = files.filter((f) => f.size >= 5 * MB).map((f) => ({ name: f.name, size: f.size }));
    const load = fork(
      __filename,
      ['--load', JSON.stringify({ base: target.url, files: big, concurrency: 4 })],
      {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    try {
      // A load generator that dies fails the run (and the cleanup still runs), never hangs it.
      load.on('error', () => undefined);
      const died = new Promise<never>((_, reject) =>
        load.once('exit', (code) => reject(new Error(`the load generator exited (${code})`))),
      );
      died.catch(() => undefined);
      await Promise.race([new Promise((resolve) => load.once('message', resolve)), died]);
      await sleep(5_000); // warm-up: the load generator's and the node's read path's JIT
      const idle = [Date.now(), 0];
      await sleep(IDLE_WINDOW_MS);
      idle[1] = Date.now();
      fs.rmSync(c.specs[victim].blobs, { recursive: true, force: true });
      await c.start(victim, {}, ['AUDIUS_REPAIR_MAX_MBPS']); // the default cap
      const vurl = c.specs[victim].url;
      let busyFrom = 0;
      // The refill's first BUSY_WINDOW_MS (all of it, if it ends sooner): the load meets repair.
      await until(
        'the returning node refilling',
        async () => {
          const h = await health(vurl);
          if (!busyFrom && (h.repair.running || h.repair.pulling > 0)) busyFrom = Date.now();
          return h.repair.pulled >= files.length || (busyFrom > 0 && Date.now() - busyFrom >= BUSY_WINDOW_MS);
        },
        300_000,
        200,
      );
      const busy = [busyFrom, Date.now()];
      const metrics = await (await fetch(`${vurl}/storage/metrics`)).text();
      const refilled = Number(/^storage_repair_pulled_bytes_total ([0-9.e+]+)$/m.exec(metrics)?.[1] ?? 0);
      const loaded = new Promise<{ samples: number[]; errors: number }>((resolve) =>
        load.on(
          'message',
          (m) => typeof m === 'object' && resolve(m as { samples: number[]; errors: number }),
        ),
      );
      load.send('stop');
      const { samples, errors } = await Promise.race([loaded, died]);
      const window = ([from, to]: number[]) => {
        const out: number[] = [];
        for (let i = 0; i < samples.length; i += 2)
          if (samples[i] >= from && samples[i] < to) out.push(samples[i + 1]);
        return out;
      };
      return {
        files,
        share,
        results,
        foreground: {
          idle: window(idle),
          busy: window(busy),
          idleSeconds: (idle[1] - idle[0]) / 1000,
          busySeconds: (busy[1] - busy[0]) / 1000,
          refilledMBps: refilled / MB / ((busy[1] - busy[0]) / 1000),
          errors,
        },
      };
    } finally {
      if (load.exitCode === null && load.signalCode === null) load.kill();
    }
  } finally {
    await c.stopAll();
    await nats.stop();
  }
}

// --- 3: idle pass on 100,000 files -----------------------------------------------------------

async function idlePass(root: string, count: number) {
  const nats = await startNatsCluster({ size: 1, dataDir: path.join(root, 'nats') });
  const c = await Cluster.create(root, 3, nats);
  try {
    let t = performance.now();
    const first = await openBlobStore(`file://${c.specs[0].blobs}`);
    const body = randomBytes(100);
    await mapLimit(
      Array.from({ length: count }, (_, i) => i),
      128,
      async (i) => {
        const id = newId();
        const b = Buffer.from(body);
        b.writeUInt32BE(i, 0);
        const name = `${id}_150x150.jpg`;
        await first.put(`0_${id.slice(-SHARD_LENGTH)}/${name}`, Readable.from([b]), { sha256: sha256(b) });
      },
    );
    await first.close();
    // The other two stores: hard links of the first (same inode, so the sidecars still describe them).
    for (const s of c.specs.slice(1)) {
      fs.mkdirSync(path.dirname(s.blobs), { recursive: true });
      execFileSync('cp', ['-al', c.specs[0].blobs, s.blobs]);
    }
    console.log(
      `seeded ${count} files of 100 bytes (driver puts on node1, hard links on node2 and node3) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    t = Date.now();
    const spawned = await Promise.all(c.specs.map((_, i) => c.start(i)));
    const urls = c.specs.map((s) => s.url);
    await until(
      'catalogs ready',
      () => c.events.filter((e) => e.msg.startsWith('catalog of the long-term store ready')).length === 3,
      300_000,
      250,
    );
    const catalogSeconds = c.specs.map((s, i) => {
      const e = c.events.find((x) => x.node === s.name && x.msg.startsWith('catalog of'))!;
      if (Number(e.files) !== count) throw new Error(`${s.name} catalogued ${String(e.files)} files`);
      return (e.time - spawned[i]) / 1000;
    });
    await waitForMembers(urls, 3);
    const settled = Date.now();
    const passes: { seconds: number; requests: number }[] = [];
    const seen = new Set<string>();
    let notIdle = '';
    await until(
      'idle passes',
      async () => {
        for (const [i, h] of (await Promise.all(urls.map(health))).entries()) {
          const r = h.repair;
          if (!r.lastPassAt || seen.has(`${i}${r.lastPassAt}`)) continue;
          seen.add(`${i}${r.lastPassAt}`);
          if (Date.parse(r.lastPassAt) - r.lastPassSeconds * 1000 < settled) continue;
          if (r.pulled > 0 || r.deleted > 0) notIdle = `${c.specs[i].name} pulled or deleted`;
          passes.push({ seconds: r.lastPassSeconds, requests: r.lastPassRequests });
        }
        return passes.length >= 9;
      },
      120_000,
      250,
    );
    if (notIdle) throw new Error(`idle pass: ${notIdle}`);
    return { catalogSeconds, passes };
  } finally {
    await c.stopAll();
    await nats.stop();
  }
}

// --- report ----------------------------------------------------------------------------------

async function main(): Promise<void> {
  const rounds = arg('rounds', 3);
  const scale = arg('share-mb', 1160) / 1160;
  const idleFiles = arg('idle-files', 100_000);
  const started = Date.now();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sv2-repair-bench-'));
  try {
    const a = await throughputAndForeground(path.join(root, 'a'), rounds, scale);
    fs.rmSync(path.join(root, 'a'), { recursive: true, force: true });
    const b = idleFiles > 0 ? await idlePass(path.join(root, 'b'), idleFiles) : null;

    const repairS = median(a.results.map((r) => r.repair.seconds));
    const copyS = median(a.results.map((r) => r.copy));
    const cpS = median(a.results.map((r) => r.cp));
    const mbps = (s: number) => a.share / MB / s;
    const fps = (s: number) => a.files.length / s;
    const f = a.foreground;
    const p99 = (xs: number[]) => quantile(xs, 0.99);
    const idleP99 = p99(f.idle);
    const busyP99 = p99(f.busy);
    const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
    const counts = MIX.map((m) => `${Math.max(1, Math.round(m.count * scale))}×${m.size / MB} MB`).join(', ');

    console.log('');
    console.log(
      `Dead node's share: ${a.files.length} files, ${(a.share / MB).toFixed(0)} MB (${counts}); 4 nodes, R = 3; ` +
        `repair with AUDIUS_REPAIR_MAX_MBPS=0 (default cap ${DEFAULT_CAP_MBPS} MB/s), AUDIUS_REPAIR_CONCURRENCY 4 (default); ` +
        `scrub off. Medians of ${rounds} rounds; the repair time runs from the start of the first pass after the kill ` +
        `(detection: health TTL 3 s + debounce 1 s, not counted) to the last verified copy.`,
    );
    console.log('| measure | ours | baseline | ratio | target | |');
    console.log('| --- | ---: | ---: | ---: | ---: | --- |');
    const tp = mbps(repairS) / mbps(copyS);
    console.log(
      `| repair throughput | ${mbps(repairS).toFixed(0)} MB/s, ${fps(repairS).toFixed(0)} files/s (${repairS.toFixed(1)} s) | ` +
        `copy, streams + fsync per file: ${mbps(copyS).toFixed(0)} MB/s, ${fps(copyS).toFixed(0)} files/s (${copyS.toFixed(1)} s) | ` +
        `${tp.toFixed(2)}× | ≥ 0.5× | ${verdict(tp >= 0.5)} |`,
    );
    console.log(
      `| (reference) | | cp -r, no fsync: ${mbps(cpS).toFixed(0)} MB/s (${cpS.toFixed(1)} s) | ${(mbps(repairS) / mbps(cpS)).toFixed(2)}× | | |`,
    );
    console.log(
      `| kill -9 → all copies back | ${median(a.results.map((r) => r.repair.killToDone)).toFixed(1)} s | | | | |`,
    );
    const fg = busyP99 / idleP99;
    const rate = (xs: number[], seconds: number) => (xs.length / seconds).toFixed(0);
    console.log(
      `| 64 KiB range read p99, a pull source, while a node refills at the default cap | ${busyP99.toFixed(1)} ms ` +
        `(p50 ${quantile(f.busy, 0.5).toFixed(1)}, ${rate(f.busy, f.busySeconds)} req/s over ${f.busySeconds.toFixed(0)} s) | ` +
        `idle: ${idleP99.toFixed(1)} ms (p50 ${quantile(f.idle, 0.5).toFixed(1)}, ${rate(f.idle, f.idleSeconds)} req/s over ${f.idleSeconds.toFixed(0)} s) | ` +
        `${fg.toFixed(2)}× | ≤ 2× | ${verdict(fg <= 2)} |`,
    );
    console.log(
      `| refill rate meanwhile (cap ${DEFAULT_CAP_MBPS} MB/s) | ${f.refilledMBps.toFixed(0)} MB/s | | | | |`,
    );
    if (b) {
      const passS = median(b.passes.map((p) => p.seconds));
      const passReq = median(b.passes.map((p) => p.requests));
      const most = (xs: number[]) => Math.max(...xs);
      console.log(
        `| idle pass, ${idleFiles.toLocaleString('en-US')} files a node (3 nodes, R = 3) | ${passS.toFixed(2)} s, ${passReq} requests ` +
          `(max ${most(b.passes.map((p) => p.seconds)).toFixed(2)} s, ${most(b.passes.map((p) => p.requests))}; ${b.passes.length} passes) | | | ` +
          `< 5 s, ≤ a few hundred | ${verdict(passS < 5 && passReq <= 300)} |`,
      );
      console.log(
        `| start-up: catalog of ${idleFiles.toLocaleString('en-US')} files | ${b.catalogSeconds.map((s) => s.toFixed(1)).join(' / ')} s (3 nodes at once, from spawn) | | | | |`,
      );
    }
    if (f.errors) console.log(`load generator: ${f.errors} failed reads`);
    const load = os.loadavg().map((l) => l.toFixed(1));
    console.log(
      `total ${((Date.now() - started) / 1000).toFixed(0)} s; load average at the end ${load.join(' / ')} (${os.cpus().length} CPUs)`,
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--copy') void copyMain(process.argv[3], process.argv[4]);
else if (process.argv[2] === '--load') void loadMain(process.argv[3]);
else
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
