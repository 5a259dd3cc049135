import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { waitFor } from '../../shared/local/ports';
import { curlUpload, getJson, waitForJob } from '../harness/http';
import { startTestNats, type TestNats } from '../harness/nats';
import { startTestNodes, type TestNodes } from '../harness/nodes';
import { tempDir } from '../harness/temp';

/**
 * Issue 15, "health covers too little": a node whose blob store fails is unhealthy (503 with
 * the reason), leaves every ring for new work, and comes back once its store works again.
 * The fault is real: the file store's directory is swapped for a plain file, so every write
 * under it fails with ENOTDIR (a read-only mode would not stop root, which the tests run as).
 */
describe('a failing blob store takes its node out of placement until it is fixed', () => {
  let nats: TestNats;
  let cluster: TestNodes;
  const media = tempDir('store-health');
  let ids: string[];
  let blobs: string;

  const ringIds = async (url: string) =>
    ((await getJson(`${url}/storage/ring`)).body.nodes as { id: string }[]).map((n) => n.id).sort();

  beforeAll(async () => {
    nats = await startTestNats(1);
    cluster = await startTestNodes(3, nats.urls, {
      AUDIUS_REPLICATION_FACTOR: '2',
      AUDIUS_STORE_PROBE_SECONDS: '1',
      AUDIUS_HEARTBEAT_SECONDS: '1',
    });
    ids = await Promise.all(
      cluster.nodes.map(async (n) => (await getJson(`${n.url}/storage/health`)).body.nodeId as string),
    );
    blobs = path.join(cluster.dir, 'node1', 'blobs');
    await waitFor('every ring to hold all three nodes', async () => {
      const rings = await Promise.all(cluster.nodes.map((n) => ringIds(n.url)));
      return rings.every((r) => r.join() === [...ids].sort().join());
    });
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop();
    await nats?.stop();
    media.remove();
  });

  test('a healthy store shows in /storage/health and /health_check', async () => {
    const { status, body } = await getJson(`${cluster.nodes[0].url}/storage/health`);
    expect(status).toBe(200);
    expect(body.problems).toEqual([]);
    expect(body.store).toEqual({
      ok: true,
      reason: null,
      freeBytes: expect.any(Number),
      checkedAt: expect.any(String),
    });
    expect(body.store.freeBytes).toBeGreaterThan(0);
    const check = await getJson(`${cluster.nodes[0].url}/health_check`);
    expect([check.status, check.body.data.diskHasSpace]).toEqual([200, true]);
  });

  test('broken: 503 with the reason, out of every ring, uploads stored on the others; fixed: back', async () => {
    fs.renameSync(blobs, `${blobs}.away`);
    fs.writeFileSync(blobs, 'not a directory');
    try {
      await whileBroken();
    } finally {
      fs.rmSync(blobs);
      fs.renameSync(`${blobs}.away`, blobs);
    }
    const url = cluster.nodes[0].url;
    await waitFor(
      'node1 to be healthy again',
      async () => (await getJson(`${url}/storage/health`)).status === 200,
    );
    expect((await getJson(`${url}/storage/health`)).body.store).toMatchObject({ ok: true, reason: null });
    await waitFor('every ring to hold node1 again', async () => {
      const rings = await Promise.all(cluster.nodes.map((n) => ringIds(n.url)));
      return rings.every((r) => r.join() === [...ids].sort().join());
    });
    const check = await getJson(`${url}/health_check`);
    expect([check.status, check.body.data.diskHasSpace]).toEqual([200, true]);
  }, 90_000);

  async function whileBroken(): Promise<void> {
    const url = cluster.nodes[0].url;
    await waitFor(
      'node1 to report its store',
      async () => (await getJson(`${url}/storage/health`)).status === 503,
    );
    const { body } = await getJson(`${url}/storage/health`);
    expect(body.healthy).toBe(false);
    expect(body.nats).toBe('connected');
    expect(body.store.ok).toBe(false);
    expect(body.store.reason).toMatch(/failed a probe write: .*ENOTDIR/);
    expect(body.problems).toEqual([body.store.reason]);
    const check = await getJson(`${url}/health_check`);
    expect([check.status, check.body.data.diskHasSpace]).toEqual([503, false]);

    const others = [ids[1], ids[2]].sort();
    await waitFor('every ring to leave node1 out', async () => {
      const rings = await Promise.all(cluster.nodes.map((n) => ringIds(n.url)));
      return rings.every((r) => r.join() === others.join());
    });
    // Still a member (it serves and answers repair), marked with why it takes no new work.
    const seen = (await getJson(`${cluster.nodes[1].url}/storage/nodes`)).body.nodes.find(
      (m: { nodeId: string }) => m.nodeId === ids[0],
    );
    expect(seen).toMatchObject({ healthy: true, storeProblem: body.store.reason });

    const image = path.join(media.dir, 'cover.jpg');
    await sharp({ create: { width: 300, height: 300, channels: 3, background: 'teal' } })
      .jpeg()
      .toFile(image);
    const upload = await curlUpload(cluster.nodes[1].url, [image], 'img_square');
    expect(upload.status).toBe(200);
    const done = await waitForJob(cluster.nodes[1].url, upload.body[0].id);
    expect(done.status).toBe('done');
    for (const r of done.results) expect([...r.nodes].sort()).toEqual(others);
  }
});
