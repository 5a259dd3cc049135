import path from 'node:path';
import { signDrainRequest } from '../../shared/drain/request';
import { identityFromHex } from '../../shared/identity/wallet';
import { Ring } from '../../shared/placement/mod';
import { curlUpload, getJson, waitForJob } from '../harness/http';
import { startTestNats, type TestNats } from '../harness/nats';
import { startTestNodes, type TestNodes } from '../harness/nodes';
import { tempDir } from '../harness/temp';
import {
  eventually,
  FAST_REPAIR_ENV,
  holdings,
  makeImages,
  placementGaps,
  uploadAll,
  waitForMembers,
} from '../repair/cluster';

/**
 * The placement-operations scenarios on real clusters (issue 18), shared by the smoke tests in
 * `npm test` and the long runs of `npm run test:placement`, which differ only in size. What
 * each node holds is read from its disk and hashed, never asked of the API.
 */

export interface Cluster {
  nats: TestNats;
  nodes: TestNodes;
  ids: string[];
  urls: string[];
  blobs: (i: number) => string;
  stop(): Promise<void>;
}

export async function startCluster(
  count: number,
  env: Record<string, string>,
  perNode: (i: number) => Record<string, string> = () => ({}),
): Promise<Cluster> {
  const nats = await startTestNats(1);
  const nodes = await startTestNodes(count, nats.urls, { ...FAST_REPAIR_ENV, ...env }, perNode);
  const urls = nodes.nodes.map((n) => n.url);
  const ids = await Promise.all(urls.map(async (u) => (await getJson(`${u}/storage/health`)).body.nodeId));
  await waitForMembers(urls, count);
  return {
    nats,
    nodes,
    ids,
    urls,
    blobs: (i) => path.join(nodes.dir, `node${i + 1}`, 'blobs'),
    stop: async () => {
      await nodes.stop();
      await nats.stop();
    },
  };
}

/** Jobs (each id is one shard: all its files live together) held by a node, from its disk. */
function jobsOn(blobs: string, files: Map<string, string>): number {
  const ids = new Set<string>();
  for (const [name, sha] of holdings(blobs)) if (files.get(name) === sha) ids.add(name.slice(0, 25));
  return ids.size;
}

/**
 * Weighted: node 0 of four has weight 2, R = 1, so by the weighted-HRW formula node 0 owns
 * 2/5 of the shards and each other node 1/5 (with R = 1 a node wins a shard with probability
 * exactly w/Σw; docs/placement.md §Weights). Its share of *jobs* is a binomial draw over
 * their random shards: every node's job count must lie within 4 standard deviations of
 * jobs × its exact shard share (a false alarm about 1 in 15,000 per node), and node 0's files
 * per file of an average other node within the same bound, after repair has settled.
 */
export async function weightedScenario(
  jobs: number,
): Promise<{ heavy: number; light: number[]; ratio: number }> {
  const media = tempDir('weighted');
  const c = await startCluster(4, { AUDIUS_REPLICATION_FACTOR: '1' }, (i) => ({
    AUDIUS_PLACEMENT_WEIGHT: i === 0 ? '2' : '1',
  }));
  try {
    const weights = c.ids.map((_, i) => (i === 0 ? 2 : 1));
    const members = await getJson(`${c.urls[1]}/storage/nodes`);
    for (const m of members.body.nodes) expect(m.weight).toBe(weights[c.ids.indexOf(m.nodeId)]);
    const ring = new Ring(
      c.ids.map((id, i) => ({ id, weight: weights[i] })),
      { replicationFactor: 1 },
    );
    const share = c.ids.map((id) => ring.shardsOf(id).length / ring.shardCount);
    expect(share[0] / ((share[1] + share[2] + share[3]) / 3)).toBeCloseTo(2, 1);
    // Every node's own ring is that ring.
    for (const url of c.urls)
      expect((await getJson(`${url}/storage/ring`)).body.fingerprint).toBe(ring.fingerprint());

    const files = await uploadAll(c.urls, await makeImages(media.dir, jobs, 'w'), 'img_square');
    const live = c.ids.map((id, i) => ({ id, blobs: c.blobs(i), weight: weights[i] }));
    await eventually(
      'settled: every file on its owner, no extras',
      () => {
        const g = placementGaps(files, live, 1);
        return g.missing.length === 0 && g.extra.length === 0;
      },
      60_000,
      () => placementGaps(files, live, 1),
    );
    const counts = c.ids.map((_, i) => jobsOn(c.blobs(i), files));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(jobs);
    counts.forEach((n, i) => {
      const sd = Math.sqrt(jobs * share[i] * (1 - share[i]));
      expect(Math.abs(n - jobs * share[i])).toBeLessThanOrEqual(4 * sd);
    });
    const light = counts.slice(1);
    return { heavy: counts[0], light, ratio: counts[0] / (light.reduce((a, b) => a + b, 0) / 3) };
  } finally {
    await c.stop();
    media.remove();
  }
}

export interface DrainReport {
  checks: number;
  fewestCopies: number;
  files: number;
  drainSeconds: number;
}

/**
 * Drain: five nodes, R = 3, files on every node; while a light upload load runs, the node
 * holding the most files is drained through its signed `POST /storage/drain`. Throughout,
 * every finished file must have at least R verified copies (sha256 from disk) on healthy
 * nodes; the node must end owning no shard, every file on R other owners, `safeToRemove`;
 * then it is stopped and the others' next repair passes pull nothing.
 */
export async function drainScenario(initial: number, loadJobs: number): Promise<DrainReport> {
  const R = 3;
  const media = tempDir('drain');
  const c = await startCluster(5, { AUDIUS_REPLICATION_FACTOR: String(R) });
  try {
    const files = await uploadAll(c.urls, await makeImages(media.dir, initial, 'd'), 'img_square');
    const all = [0, 1, 2, 3, 4];
    const live = (idx: number[]) => idx.map((i) => ({ id: c.ids[i], blobs: c.blobs(i) }));
    await eventually('placed', () => placementGaps(files, live(all), R).missing.length === 0, 60_000);
    const drainer = all.reduce(
      (best, i) => (holdings(c.blobs(i)).size > holdings(c.blobs(best)).size ? i : best),
      0,
    );
    const others = all.filter((i) => i !== drainer);
    expect(holdings(c.blobs(drainer)).size).toBeGreaterThan(0);

    // The invariant, checked from disk: every finished file has ≥ R good copies on healthy nodes.
    let checks = 0;
    let fewestCopies = Infinity;
    const checkCopies = () => {
      const held = all.map((i) => holdings(c.blobs(i)));
      for (const [name, sha] of files) {
        const copies = held.filter((h) => h.get(name) === sha).length;
        fewestCopies = Math.min(fewestCopies, copies);
        if (copies < R)
          throw new Error(`${name} has ${copies} verified copies during the drain, fewer than R = ${R}`);
      }
      checks++;
    };

    // Light load: one image every ~1 s to a node other than the drainer, until told to stop.
    let loading = true;
    const pending: string[] = [];
    const images = await makeImages(media.dir, loadJobs, 'load');
    const load = (async () => {
      for (let k = 0; k < images.length && loading; k++) {
        const { status, body } = await curlUpload(
          c.urls[others[k % others.length]],
          [images[k]],
          'img_square',
        );
        if (status !== 200) throw new Error(`upload during the drain answered ${status}`);
        pending.push(body[0].id);
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();
    const collect = async () => {
      while (pending.length > 0) {
        const job = await waitForJob(c.urls[others[0]], pending.shift()!, 120_000);
        if (job.status !== 'done') throw new Error(`job ${job.id} ended ${job.status}`);
        for (const r of job.results) files.set(r.name, r.sha256);
      }
    };

    // A watcher checks the invariant every ~300 ms from the drain request to the end.
    let watching = true;
    let broken: Error | undefined;
    const watcher = (async () => {
      while (watching && !broken) {
        try {
          checkCopies();
        } catch (err) {
          broken = err as Error;
        }
        await new Promise((r) => setTimeout(r, 300));
      }
    })();
    const started = Date.now();
    const key = identityFromHex(c.nodes.nodes[drainer].env.AUDIUS_DELEGATE_PRIVATE_KEY);
    const res = await fetch(`${c.urls[drainer]}/storage/drain`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(signDrainRequest(key.privateKey, c.ids[drainer], 'drain')),
    });
    expect(res.status).toBe(200);
    const drainStatus = async () => (await getJson(`${c.urls[drainer]}/storage/drain`)).body.status;
    await eventually(
      'safe to remove',
      async () => {
        await collect();
        checkCopies();
        return (await drainStatus()).safeToRemove === true;
      },
      180_000,
      drainStatus,
    );
    loading = false;
    await load;
    await collect();
    // Files uploaded late must be covered too: wait for a check after the last of them.
    await eventually(
      'safe to remove after the load',
      async () => {
        checkCopies();
        const s = await drainStatus();
        return s.safeToRemove && s.files === holdings(c.blobs(drainer)).size;
      },
      60_000,
      drainStatus,
    );
    const drainSeconds = (Date.now() - started) / 1000;
    watching = false;
    await watcher;
    if (broken) throw broken;

    // It owns nothing in anyone's ring, and every file is on its R owners among the others.
    for (const i of all) {
      const ring = (await getJson(`${c.urls[i]}/storage/ring`)).body;
      expect(ring.nodes.map((n: { id: string }) => n.id)).not.toContain(c.ids[drainer]);
    }
    expect(placementGaps(files, live(others), R).missing).toEqual([]);
    const card = (await getJson(`${c.urls[others[0]]}/storage/nodes`)).body.nodes.find(
      (m: { nodeId: string }) => m.nodeId === c.ids[drainer],
    );
    expect(card).toMatchObject({ draining: true, drain: { safeToRemove: true } });

    // Stopped: the others see it go and their next passes pull nothing.
    const pulledBefore = await Promise.all(
      others.map(async (i) => (await getJson(`${c.urls[i]}/storage/health`)).body.repair.pulled),
    );
    const stoppedAt = Date.now();
    await c.nodes.nodes[drainer].stop(10_000);
    await waitForMembers(
      others.map((i) => c.urls[i]),
      4,
    );
    for (const i of others) {
      await eventually(
        `a repair pass on node ${i + 1} after the stop`,
        async () =>
          Date.parse((await getJson(`${c.urls[i]}/storage/health`)).body.repair.lastPassAt) >
          stoppedAt + 1000,
        30_000,
      );
    }
    const pulledAfter = await Promise.all(
      others.map(async (i) => (await getJson(`${c.urls[i]}/storage/health`)).body.repair.pulled),
    );
    expect(pulledAfter).toEqual(pulledBefore);
    expect(placementGaps(files, live(others), R).missing).toEqual([]);
    return { checks, fewestCopies, files: files.size, drainSeconds };
  } finally {
    await c.stop();
    media.remove();
  }
}
