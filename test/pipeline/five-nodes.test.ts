import fs from 'node:fs';
import path from 'node:path';
import { curlUpload, getJson, waitForJob } from '../harness/http';
import { makeTone, sha256Hex } from '../harness/media';
import { startTestNats, type TestNats } from '../harness/nats';
import { startTestNodes, type TestNodes } from '../harness/nodes';
import { tempDir } from '../harness/temp';

/**
 * Five nodes, R = 3: each result lives on exactly its three owners; any other node
 * redirects; and a transcode whose worker is killed mid-job still ends done, once.
 */
describe('five nodes, R = 3', () => {
  let nats: TestNats;
  let cluster: TestNodes;
  const media = tempDir('five');
  let ids: string[];

  beforeAll(async () => {
    nats = await startTestNats(1);
    // A short ackWait so a killed worker's job is redelivered within seconds.
    cluster = await startTestNodes(5, nats.urls, {
      AUDIUS_ACK_WAIT_SECONDS: '3',
      AUDIUS_FFMPEG_THREADS: '1',
    });
    ids = await Promise.all(
      cluster.nodes.map(async (n) => (await getJson(`${n.url}/storage/health`)).body.nodeId),
    );
    // Every node must see all five before placement is compared.
    for (const n of cluster.nodes) {
      for (
        let t = 0;
        (await getJson(`${n.url}/storage/nodes`)).body.nodes.filter((m: any) => m.healthy).length < 5;
        t++
      ) {
        if (t > 100) throw new Error('nodes did not see each other');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
    await nats?.stop();
    media.remove();
  });

  const holdsLocally = (index: number, job: any, name: string) =>
    fs.existsSync(path.join(cluster.dir, cluster.nodes[index].name, 'blobs', `0_${job.id.slice(-3)}`, name));

  test('each result is on exactly its 3 owners and on no other node', async () => {
    const { body } = await curlUpload(cluster.nodes[4].url, [makeTone(media.dir, 'five.mp3', 3)], 'audio');
    const job = await waitForJob(cluster.nodes[0].url, body[0].id);
    expect(job.status).toBe('done');
    const { body: placement } = await getJson(`${cluster.nodes[2].url}/storage/placement/${job.id}`);
    const owners = placement.owners.map((o: any) => o.nodeId);
    expect(owners).toHaveLength(3);
    for (const result of job.results) {
      expect([...result.nodes].sort()).toEqual([...owners].sort());
      const holders = ids.filter((_, i) => holdsLocally(i, job, result.name));
      expect(holders.sort()).toEqual([...owners].sort());
    }

    // A non-owner redirects to an owner that holds it; the owner serves the same bytes.
    const outsider = cluster.nodes[ids.findIndex((id) => !owners.includes(id))];
    const name = job.results[0].name;
    const res = await fetch(`${outsider.url}/storage/long-term/file/${name}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = res.headers.get('location')!;
    const target =
      cluster.nodes[
        ids.findIndex((id, i) => owners.includes(id) && location.startsWith(cluster.nodes[i].url))
      ];
    expect(target).toBeDefined();
    expect(location).toBe(`${target.url}/storage/long-term/file/${name}?localOnly=true`);
    expect(sha256Hex(Buffer.from(await (await fetch(location)).arrayBuffer()))).toBe(job.results[0].sha256);
    // Following redirects, as a player would, from the outsider:
    expect(
      sha256Hex(
        Buffer.from(await (await fetch(`${outsider.url}/storage/long-term/file/${name}`)).arrayBuffer()),
      ),
    ).toBe(job.results[0].sha256);
    const local = await getJson(`${outsider.url}/storage/long-term/file/${name}?localOnly=true`);
    expect([local.status, local.body.code]).toEqual([404, 'FILE_NOT_FOUND']);
  });

  test('killing the node that runs a transcode mid-job: the job still ends done, once', async () => {
    // Ten minutes of audio keeps one ffmpeg busy for several seconds on this machine.
    const long = makeTone(media.dir, 'long.wav', 600, ['-ac', '1', '-ar', '8000']);
    const { body } = await curlUpload(cluster.nodes[0].url, [long], 'audio');
    const id = body[0].id;
    let worker: string | undefined;
    for (let t = 0; !worker; t++) {
      const { body: job } = await getJson(`${cluster.nodes[0].url}/storage/jobs/${id}`);
      if (job.status === 'in_progress' && job.transcode_worker_id) worker = job.transcode_worker_id;
      else if (t > 300) throw new Error(`the job never started: ${JSON.stringify(job)}`);
      else await new Promise((r) => setTimeout(r, 50));
    }
    const victim = ids.indexOf(worker);
    await cluster.nodes[victim].kill();
    const survivor = cluster.nodes[(victim + 1) % 5];

    const job = await waitForJob(survivor.url, id, 120_000);
    expect(job.status).toBe('done');
    expect(job.attempts).toBeGreaterThanOrEqual(2);
    expect(job.transcode_worker_id).not.toBe(worker);
    expect(job.results.map((r: any) => r.name)).toEqual([
      `${id}_320.mp3`,
      `${id}_preview.mp3`,
      `${id}_original.wav`, // AUDIUS_KEEP_ORIGINALS (default on)
    ]);
    // Once: one set of results, each on exactly the owners of the ring without the dead node.
    const { body: placement } = await getJson(`${survivor.url}/storage/placement/${id}`);
    const owners = placement.owners.map((o: any) => o.nodeId);
    expect(owners).not.toContain(worker);
    for (const r of job.results) expect([...r.nodes].sort()).toEqual([...owners].sort());
    expect(Math.abs(job.results[0].duration - 600)).toBeLessThan(0.1);
  }, 180_000);
});
