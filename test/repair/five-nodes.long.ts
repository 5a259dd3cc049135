import path from 'node:path';
import { getJson } from '../harness/http';
import { makeTone } from '../harness/media';
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
} from './cluster';

/**
 * The long repair suite (`npm run test:repair`; the smoke version is in `npm test`): five
 * nodes, R = 3, more than 300 files (audio and images), a 3-server NATS cluster. Every check
 * reads the nodes' blob stores from disk and compares sha256. Short settings (FAST_REPAIR_ENV):
 * health TTL 3 s, debounce 1 s, a pass every 2 s, grace 6 s.
 */
const R = 3;
/** Kill → re-replicated: TTL (3 s) + a membership check (1 s) + debounce (1 s) + passes; generous for 2 cores. */
const REPAIR_BOUND_MS = 45_000;

describe('repair on five nodes (R = 3), 300+ files', () => {
  let nats: TestNats;
  let cluster: TestNodes;
  let extra: TestNodes | undefined;
  const media = tempDir('repair-long');
  let ids: string[];
  let extraId: string;
  const files = new Map<string, string>();
  const blobs = (i: number) => path.join(cluster.dir, `node${i + 1}`, 'blobs');
  const extraBlobs = () => path.join(extra!.dir, 'node1', 'blobs');
  const live = (indexes: number[], withExtra = false) => [
    ...indexes.map((i) => ({ id: ids[i], blobs: blobs(i) })),
    ...(withExtra ? [{ id: extraId, blobs: extraBlobs() }] : []),
  ];
  const gaps = (indexes: number[], withExtra = false) => placementGaps(files, live(indexes, withExtra), R);
  const exact = (indexes: number[], withExtra = false) => {
    const g = gaps(indexes, withExtra);
    return g.missing.length === 0 && g.extra.length === 0;
  };
  const urls = (indexes: number[]) => indexes.map((i) => cluster.nodes[i].url);
  const deletes = async (url: string) =>
    Number(
      /^storage_repair_deletes_total (\d+)/m.exec(
        await (await fetch(`${url}/storage/metrics`)).text(),
      )?.[1] ?? 0,
    );

  beforeAll(async () => {
    nats = await startTestNats(3, { noAdvertise: true });
    const [a, b, c] = nats.urls;
    // node1 talks to the third NATS server only, so stopping that server cuts it off alone.
    cluster = await startTestNodes(5, nats.urls, { ...FAST_REPAIR_ENV, AUDIUS_FFMPEG_THREADS: '1' }, (i) => ({
      NATS_SERVER_URL: i === 0 ? c : `${a},${b}`,
    }));
    ids = await Promise.all(
      cluster.nodes.map(async (n) => (await getJson(`${n.url}/storage/health`)).body.nodeId),
    );
    await waitForMembers(urls([0, 1, 2, 3, 4]), 5);
    const all = urls([0, 1, 2, 3, 4]);
    const add = (m: Map<string, string>) => m.forEach((v, k) => files.set(k, v));
    add(await uploadAll(all, await makeImages(media.dir, 90, 'sq'), 'img_square'));
    add(await uploadAll(all, await makeImages(media.dir, 15, 'bd'), 'img_backdrop'));
    const tones = [1, 2, 3, 4].map((s) => makeTone(media.dir, `t${s}.mp3`, s));
    add(await uploadAll(all, tones, 'audio', 2));
  }, 600_000);

  afterAll(async () => {
    await extra?.stop();
    await cluster?.stop();
    await nats?.stop();
    media.remove();
  });

  test('after the uploads: more than 300 files, each on exactly its 3 owners', async () => {
    expect(files.size).toBeGreaterThanOrEqual(300);
    await eventually(
      'exact',
      () => exact([0, 1, 2, 3, 4]),
      30_000,
      () => gaps([0, 1, 2, 3, 4]),
    );
  }, 60_000);

  test('kill -9 one node: every file is again on exactly its 3 current owners within the bound', async () => {
    await cluster.nodes[4].kill();
    const took = await eventually(
      're-replicated',
      () => exact([0, 1, 2, 3]),
      REPAIR_BOUND_MS,
      () => gaps([0, 1, 2, 3]),
    );
    console.log(
      `repair after kill -9: every file on its 3 owners ${(took / 1000).toFixed(1)} s after the kill`,
    );
  }, 90_000);

  test('a 6th node joins: it gets every file of its shards; after the grace period no extras anywhere', async () => {
    // Files added while node5 is down (it comes back in the next test).
    const more = await uploadAll(urls([0, 1, 2, 3]), await makeImages(media.dir, 10, 'late'), 'img_square');
    more.forEach((v, k) => files.set(k, v));
    extra = await startTestNodes(1, nats.urls.slice(0, 2), { ...FAST_REPAIR_ENV });
    extraId = (await getJson(`${extra.nodes[0].url}/storage/health`)).body.nodeId;
    await waitForMembers([...urls([0, 1, 2, 3]), extra.nodes[0].url], 5);
    const took = await eventually(
      'rebalanced',
      () => exact([0, 1, 2, 3], true),
      60_000,
      () => gaps([0, 1, 2, 3], true),
    );
    console.log(`join: exact placement ${(took / 1000).toFixed(1)} s after the newcomer was seen`);
    expect(holdings(extraBlobs()).size).toBeGreaterThan(0);
  }, 120_000);

  test('a node that was down while files were added comes back: it gets what it lacks, its stale copies are trimmed', async () => {
    const before = holdings(blobs(4));
    await cluster.restart(4);
    await waitForMembers([...urls([0, 1, 2, 3, 4]), extra!.nodes[0].url], 6);
    await eventually(
      'exact over six',
      () => exact([0, 1, 2, 3, 4], true),
      60_000,
      () => gaps([0, 1, 2, 3, 4], true),
    );
    const after = holdings(blobs(4));
    expect([...after.keys()].some((n) => !before.has(n))).toBe(true); // it received files
  }, 120_000);

  test('two nodes die at once: nothing is deleted anywhere while degraded; R is restored when they return', async () => {
    const survivors = [0, 1, 2];
    const survivorUrls = [...urls(survivors), extra!.nodes[0].url];
    const deletedBefore = await Promise.all(survivorUrls.map(deletes));
    const held = [...survivors.map(blobs), extraBlobs()].map((d) => holdings(d));
    await Promise.all([cluster.nodes[3].kill(), cluster.nodes[4].kill()]);
    await eventually(
      're-replicated on four',
      () => gaps(survivors, true).missing.length === 0,
      REPAIR_BOUND_MS,
      () => gaps(survivors, true),
    );
    // While it healed, no survivor deleted a copy.
    expect(await Promise.all(survivorUrls.map(deletes))).toEqual(deletedBefore);
    [...survivors.map(blobs), extraBlobs()].forEach((d, i) => {
      const now = holdings(d);
      for (const name of held[i].keys()) expect(now.has(name)).toBe(true);
    });
    await Promise.all([cluster.restart(3), cluster.restart(4)]);
    await eventually(
      'exact over six again',
      () => exact([0, 1, 2, 3, 4], true),
      60_000,
      () => gaps([0, 1, 2, 3, 4], true),
    );
  }, 180_000);

  test('a node that loses NATS deletes nothing, while the others re-protect its files', async () => {
    const before = holdings(blobs(0));
    await nats.servers[2].kill();
    const others = [1, 2, 3, 4];
    await eventually(
      'others re-protected without node1',
      () => placementGaps(files, live(others, true), R).missing.length === 0,
      REPAIR_BOUND_MS,
      () => placementGaps(files, live(others, true), R),
    );
    // Three grace periods and many passes later, the cut-off node still has every copy.
    await new Promise((r) => setTimeout(r, 18_000));
    const after = holdings(blobs(0));
    expect([...before.keys()].filter((n) => !after.has(n))).toEqual([]);
    const health = (await getJson(`${cluster.nodes[0].url}/storage/health`)).body;
    expect(health.nats).not.toBe('connected');
  }, 120_000);
});
