import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { Ring } from '../../shared/placement/mod';
import { curlUpload, getJson, waitForJob } from '../harness/http';

/**
 * Helpers of the repair tests: what each node's blob store really holds (read from its disk,
 * hashed — never asked of the API), where the ring says each file belongs, and waiting for
 * the two to agree.
 */

/** Settings that make repair act within seconds (the defaults are minutes). */
export const FAST_REPAIR_ENV = {
  AUDIUS_HEARTBEAT_SECONDS: '1',
  AUDIUS_HEALTH_TTL_SECONDS: '3',
  AUDIUS_REPAIR_DEBOUNCE_SECONDS: '1',
  AUDIUS_REPAIR_EVERY: '2 seconds',
  AUDIUS_REPAIR_AUDIT_SECONDS: '2',
  AUDIUS_REPAIR_GRACE_SECONDS: '6',
  AUDIUS_SCRUB_EVERY: '2 seconds',
  AUDIUS_SCRUB_MBPS: '200',
  AUDIUS_PEER_TIMEOUT_SECONDS: '3',
};

/** name → sha256 of every long-term file under a node's `blobs` dir. */
export function holdings(blobsDir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!fs.existsSync(blobsDir)) return out;
  for (const folder of fs.readdirSync(blobsDir)) {
    if (!/^0_[0-9a-z]+$/.test(folder)) continue;
    for (const name of fs.readdirSync(path.join(blobsDir, folder))) {
      const data = readIfStillThere(path.join(blobsDir, folder, name));
      if (data) out.set(name, createHash('sha256').update(data).digest('hex'));
    }
  }
  return out;
}

/**
 * A file's bytes, or undefined when it went between the listing and the read: the node trims
 * and moves copies while the tests look, and a copy it just removed is simply not held.
 */
function readIfStillThere(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export interface Expected {
  /** File name → sha256, from the job records. */
  files: Map<string, string>;
}

/**
 * Where the files stand against placement over `live` (node ids → blobs dirs, weights): files
 * missing from an owner (or with a wrong digest), and copies on non-owners.
 */
export function placementGaps(
  files: Map<string, string>,
  live: { id: string; blobs: string; weight?: number }[],
  replicationFactor: number,
): { missing: string[]; extra: string[] } {
  const ring = new Ring(
    live.map((n) => ({ id: n.id, weight: n.weight })),
    { shardLength: 3, replicationFactor },
  );
  const held = new Map(live.map((n) => [n.id, holdings(n.blobs)]));
  const missing: string[] = [];
  const extra: string[] = [];
  for (const [name, sha] of files) {
    const owners = ring.owners(name.slice(22, 25));
    for (const n of live) {
      const has = held.get(n.id)!.get(name);
      if (owners.includes(n.id) && has !== sha) missing.push(`${name}@${n.id.slice(0, 8)}`);
      if (!owners.includes(n.id) && has !== undefined) extra.push(`${name}@${n.id.slice(0, 8)}`);
    }
  }
  return { missing, extra };
}

/** Polls `check` until it returns true; fails with `describe()` after `timeoutMs`. */
export async function eventually(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  describe: () => unknown = () => '',
): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs)
      throw new Error(`${what}: not within ${timeoutMs} ms: ${JSON.stringify(describe()).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Distinct small JPEGs (each its own colour), written to `dir`; `start` continues a series. */
export async function makeImages(dir: string, count: number, prefix = 'img', start = 0): Promise<string[]> {
  const files: string[] = [];
  for (let i = start; i < start + count; i++) {
    const file = path.join(dir, `${prefix}${i}.jpg`);
    await sharp({
      create: {
        width: 64 + i,
        height: 48 + (i % 7),
        channels: 3,
        background: { r: i % 256, g: (i * 7) % 256, b: 99 },
      },
    })
      .jpeg()
      .toFile(file);
    files.push(file);
  }
  return files;
}

/** Uploads `files` (a few per request) and waits for every job; name → sha256 of all results. */
export async function uploadAll(
  urls: string[],
  files: string[],
  template: string,
  perRequest = 8,
): Promise<Map<string, string>> {
  const ids: string[] = [];
  for (let i = 0; i < files.length; i += perRequest) {
    const url = urls[(i / perRequest) % urls.length];
    const { status, body } = await curlUpload(url, files.slice(i, i + perRequest), template);
    if (status !== 200) throw new Error(`upload answered ${status}: ${JSON.stringify(body)}`);
    ids.push(...body.map((j: { id: string }) => j.id));
  }
  const out = new Map<string, string>();
  for (const id of ids) {
    const job = await waitForJob(urls[0], id, 180_000);
    if (job.status !== 'done') throw new Error(`job ${id} ended ${job.status}: ${job.error}`);
    for (const r of job.results) out.set(r.name, r.sha256);
  }
  return out;
}

/** Waits until every node in `urls` sees exactly `count` healthy members. */
export async function waitForMembers(urls: string[], count: number, timeoutMs = 30_000): Promise<void> {
  for (const url of urls) {
    await eventually(
      `${url} sees ${count} healthy members`,
      async () =>
        (await getJson(`${url}/storage/nodes`)).body.nodes.filter((m: any) => m.healthy).length === count,
      timeoutMs,
    );
  }
}
