import fs from 'node:fs';
import path from 'node:path';
import { curlUpload, getJson, waitForJob } from '../harness/http';
import { makeTone, natsDigest, sha256Hex } from '../harness/media';
import { startTestNats, type TestNats } from '../harness/nats';
import { startTestNodes, type TestNodes } from '../harness/nodes';
import { tempDir } from '../harness/temp';

/**
 * The original README's upload, end to end on 3 nodes (R = 3): curl → temp store → audio
 * step → storers → every node holds the MP3, byte-identical, and serves it (with ranges).
 */
describe('upload → transcode → 3 replicas', () => {
  let nats: TestNats;
  let cluster: TestNodes;
  const media = tempDir('media');
  let file: string;
  let job: any;

  beforeAll(async () => {
    nats = await startTestNats(1);
    cluster = await startTestNodes(3, nats.urls);
    file = makeTone(media.dir, 'dub.mp3', 6, ['-ac', '2', '-b:a', '128k']);
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop();
    await nats?.stop();
    media.remove();
  });

  test('the README curl command answers the README JSON shape', async () => {
    const { status, body } = await curlUpload(cluster.nodes[0].url, [file], 'audio');
    expect(status).toBe(200);
    expect(body).toHaveLength(1);
    job = body[0];
    const size = fs.statSync(file).size;
    expect(job).toEqual(
      expect.objectContaining({
        id: expect.stringMatching(/^[0-9a-z]{25}$/),
        template: 'audio',
        status: 'pending',
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        source_info: {
          name: job.id,
          description: 'dub.mp3',
          options: { max_chunk_size: 131072 },
          bucket: expect.stringMatching(/^temp_\d+$/),
          nuid: expect.any(String),
          size,
          mtime: expect.any(String),
          chunks: Math.ceil(size / 131072),
          digest: natsDigest(file),
        },
      }),
    );
    expect(job.source_sha256).toBe(sha256Hex(file));
  });

  test('the job goes to done with its results on all three nodes, digests recorded', async () => {
    const done = await waitForJob(cluster.nodes[1].url, job.id);
    expect(done.status).toBe('done');
    expect(done.transcode_progress).toBe(1);
    const ids = await Promise.all(
      cluster.nodes.map(async (n) => (await getJson(`${n.url}/storage/health`)).body.nodeId),
    );
    expect(done.results.map((r: any) => r.name)).toEqual([
      `${job.id}_320.mp3`,
      `${job.id}_preview.mp3`,
      `${job.id}_original.mp3`, // AUDIUS_KEEP_ORIGINALS (default on)
    ]);
    for (const r of done.results) expect([...r.nodes].sort()).toEqual([...ids].sort());
    // Public callers get no temp-store internals; the upload's answer named its bucket.
    expect(done.source_info.bucket).toBeUndefined();
    job = { ...done, source_info: { ...done.source_info, bucket: job.source_info.bucket } };
  });

  test('each node stores the MP3 under <ns>_<shard>/ byte-identical to the recorded sha256', () => {
    const result = job.results[0];
    for (const n of cluster.nodes) {
      const stored = path.join(cluster.dir, n.name, 'blobs', `0_${job.id.slice(-3)}`, result.name);
      expect(sha256Hex(stored)).toBe(result.sha256);
      expect(fs.statSync(stored).size).toBe(result.size);
    }
  });

  test('GET /long-term/file serves it from every node with type, ETag and immutable caching', async () => {
    const result = job.results[0];
    for (const n of cluster.nodes) {
      const res = await fetch(`${n.url}/storage/long-term/file/${result.name}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('audio/mpeg');
      expect(res.headers.get('etag')).toBe(`"${result.sha256}"`);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(sha256Hex(Buffer.from(await res.arrayBuffer()))).toBe(result.sha256);
    }
  });

  test('a Range request returns exactly the requested bytes (206), and past the end is 416', async () => {
    const result = job.results[0];
    const url = `${cluster.nodes[2].url}/storage/long-term/file/${result.name}`;
    const whole = Buffer.from(await (await fetch(url)).arrayBuffer());
    const res = await fetch(url, { headers: { Range: 'bytes=100-1123' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 100-1123/${result.size}`);
    expect(Buffer.from(await res.arrayBuffer()).equals(whole.subarray(100, 1124))).toBe(true);
    const past = await fetch(url, { headers: { Range: `bytes=${result.size}-` } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${result.size}`);
    expect(past.headers.get('cache-control')).toBeNull(); // an error is never cached
    expect(((await past.json()) as { code: string }).code).toBe('RANGE_NOT_SATISFIABLE');
  });

  test('a client holding the current copy gets 304 Not Modified', async () => {
    const result = job.results[0];
    const res = await fetch(`${cluster.nodes[1].url}/storage/long-term/file/${result.name}`, {
      headers: { 'If-None-Match': `"${result.sha256}"` },
    });
    expect(res.status).toBe(304);
    expect((await res.arrayBuffer()).byteLength).toBe(0);
    // A list of tags, compared weakly (RFC 9110 §13.1.2).
    const listed = await fetch(`${cluster.nodes[1].url}/storage/long-term/file/${result.name}`, {
      headers: { 'If-None-Match': `"nope", W/"${result.sha256}"` },
    });
    expect(listed.status).toBe(304);
  });

  test('HEAD answers the headers without a body', async () => {
    const result = job.results[0];
    const res = await fetch(`${cluster.nodes[0].url}/storage/long-term/file/${result.name}`, {
      method: 'HEAD',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(result.size));
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  test('job-results, the shard listing and the temp object agree with the job record', async () => {
    const { body: results } = await getJson(`${cluster.nodes[1].url}/storage/job-results/${job.id}`);
    expect(results.map((r: any) => [r.fileName, r.sha256, r.shard])).toEqual(
      job.results.map((r: any) => [r.name, r.sha256, `0_${job.id.slice(-3)}`]),
    );
    const { body: listing } = await getJson(
      `${cluster.nodes[0].url}/storage/long-term/shard/${job.id.slice(-3)}`,
    );
    expect(listing).toEqual(
      expect.arrayContaining(
        job.results.map((r: any) => ({
          key: `0_${job.id.slice(-3)}/${r.name}`,
          size: r.size,
          sha256: r.sha256,
        })),
      ),
    );
    // Temp objects are for nodes and signed callers (test/hardening/exposed-internals.test.ts).
    const tmp = await fetch(`${cluster.nodes[2].url}/storage/tmp-obj/${job.source_info.bucket}/${job.id}`);
    expect([tmp.status, ((await tmp.json()) as { code: string }).code]).toEqual([401, 'SIGNATURE_REQUIRED']);
  });

  test('GET /jobs lists newest first and filters by status', async () => {
    const second = (await curlUpload(cluster.nodes[2].url, [file], 'audio')).body[0];
    const { body: all } = await getJson(`${cluster.nodes[0].url}/storage/jobs?limit=2`);
    expect(all.map((j: any) => j.id)).toEqual([second.id, job.id]);
    await waitForJob(cluster.nodes[0].url, second.id);
    const { body: done } = await getJson(`${cluster.nodes[0].url}/storage/jobs?status=done`);
    expect(done.map((j: any) => j.id)).toEqual(expect.arrayContaining([job.id, second.id]));
    const { status, body } = await getJson(`${cluster.nodes[0].url}/storage/jobs?status=nope`);
    expect([status, body.code]).toEqual([400, 'VALIDATION_FAILED']);
  });
});
