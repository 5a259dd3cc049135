import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import sharp from 'sharp';
import { curlUpload, getJson, waitForJob } from '../harness/http';
import { natsLeftovers } from '../harness/inspect';
import { makeTone } from '../harness/media';
import { startTestNats, type TestNats } from '../harness/nats';
import { startTestNodes, type TestNodes } from '../harness/nodes';
import { tempDir } from '../harness/temp';
import { eventually } from '../repair/cluster';

const LIMIT = 2_000_000;

/** Bad input gets a clear 4xx or a job in `error`, creates nothing half-made, and the node keeps serving. */
describe('bad uploads', () => {
  let nats: TestNats;
  let cluster: TestNodes;
  let url: string;
  const media = tempDir('bad');
  const file = (name: string, bytes: Buffer | string) => {
    const p = path.join(media.dir, name);
    fs.writeFileSync(p, bytes);
    return p;
  };
  const jobCount = async () => (await getJson(`${url}/storage/jobs?limit=500`)).body.length;

  beforeAll(async () => {
    nats = await startTestNats(1);
    cluster = await startTestNodes(1, nats.urls, { AUDIUS_MAX_UPLOAD_BYTES: String(LIMIT) });
    url = cluster.nodes[0].url;
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
    await nats?.stop();
    media.remove();
  });

  const expectRejected = async (res: { status: number; body: any }, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(res.body).toEqual({
      statusCode: status,
      code,
      error: expect.any(String),
      message: expect.any(String),
    });
  };

  test('an image uploaded as audio is 400 WRONG_FILE_TYPE and creates no job', async () => {
    const png = file(
      'cover.png',
      await sharp({ create: { width: 8, height: 8, channels: 3, background: 'red' } })
        .png()
        .toBuffer(),
    );
    await expectRejected(await curlUpload(url, [png], 'audio'), 400, 'WRONG_FILE_TYPE');
    expect(await jobCount()).toBe(0);
  });

  test('one bad part among good ones rejects the whole request: no job at all', async () => {
    const good = makeTone(media.dir, 'good.mp3', 1);
    const text = file('notes.txt', 'these are not sounds\n'.repeat(50));
    const res = await curlUpload(url, [good, text], 'audio');
    await expectRejected(res, 400, 'WRONG_FILE_TYPE');
    expect(res.body.message).toContain('notes.txt');
    expect(await jobCount()).toBe(0);
  });

  test('an empty file is 400 EMPTY_FILE', async () => {
    await expectRejected(
      await curlUpload(url, [file('empty.mp3', Buffer.alloc(0))], 'audio'),
      400,
      'EMPTY_FILE',
    );
  });

  test('a form without files is 400 MISSING_FILES; an unknown template is 400 BAD_TEMPLATE', async () => {
    await expectRejected(await curlUpload(url, [], 'audio'), 400, 'MISSING_FILES');
    await expectRejected(
      await curlUpload(url, [makeTone(media.dir, 'a.mp3', 1)], 'video'),
      400,
      'BAD_TEMPLATE',
    );
    expect(await jobCount()).toBe(0);
  });

  test('a body that is not multipart is 400 NOT_MULTIPART', async () => {
    const res = await fetch(`${url}/storage/file`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ files: 'x', template: 'audio' }),
    });
    await expectRejected({ status: res.status, body: await res.json() }, 400, 'NOT_MULTIPART');
  });

  test('a file over the limit is 413 PAYLOAD_TOO_LARGE while streaming', async () => {
    const big = file('big.wav', Buffer.alloc(LIMIT + 500_000, 1));
    await expectRejected(await curlUpload(url, [big], 'audio'), 413, 'PAYLOAD_TOO_LARGE');
    expect(await jobCount()).toBe(0);
  });

  test('a truncated file ends as a job in error with a reason, and nothing is stored', async () => {
    const whole = makeTone(media.dir, 'cut.m4a', 4, ['-c:a', 'aac']);
    const cut = file('truncated.m4a', fs.readFileSync(whole).subarray(0, 3000));
    const { status, body } = await curlUpload(url, [cut], 'audio');
    expect(status).toBe(200);
    const job = await waitForJob(url, body[0].id);
    expect(job.status).toBe('error');
    expect(job.error).toMatch(/\S{10,}/);
    expect(job.results).toEqual([]);
    const { body: listing } = await getJson(`${url}/storage/long-term/shard/${job.id.slice(-3)}`);
    expect(listing).toEqual([]);
  });

  test('a corrupt image ends as a job in error, never stored under a result name', async () => {
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: 'blue' } })
      .png()
      .toBuffer();
    const broken = Buffer.concat([png.subarray(0, 40), Buffer.alloc(400, 7)]);
    const { body } = await curlUpload(url, [file('broken.png', broken)], 'img_square');
    const job = await waitForJob(url, body[0].id);
    expect(job.status).toBe('error');
    expect(job.results).toEqual([]);
  });

  test('malformed names and buckets are 400s, unknown ones 404s: no path traversal', async () => {
    const cases: [string, number, string][] = [
      ['/storage/long-term/file/..%2F..%2Fetc%2Fpasswd', 400, 'BAD_FILE_NAME'],
      ['/storage/long-term/file/passwd', 400, 'BAD_FILE_NAME'],
      ['/storage/long-term/file/cle4h8b1g000101q8l4tz2mkx_320.mp3?localOnly=true', 404, 'FILE_NOT_FOUND'],
      ['/storage/tmp-obj/OBJ_jobs/x', 400, 'BAD_BUCKET'],
      ['/storage/tmp-obj/temp_01/x', 400, 'BAD_BUCKET'],
      ['/storage/tmp-obj/temp_7/x', 404, 'NOT_FOUND'],
      ['/storage/tmp-obj/temp_0/..%2F..%2Fx', 400, 'VALIDATION_FAILED'],
      ['/storage/tmp-obj/temp_0/nothere', 404, 'NOT_FOUND'],
      ['/storage/long-term/shard/MKX', 400, 'BAD_SHARD'],
      ['/storage/long-term/shard/0_..%2Fx', 400, 'BAD_SHARD'],
      ['/storage/jobs/nope', 400, 'VALIDATION_FAILED'],
      ['/storage/jobs/cle4h8b1g000101q8l4tz2mkx', 404, 'JOB_NOT_FOUND'],
    ];
    for (const [route, status, code] of cases) {
      const res = await getJson(`${url}${route}`);
      expect([route, res.status, res.body.code]).toEqual([route, status, code]);
    }
  });

  test('an upload cut off mid-body creates no job and leaves nothing in the temp stores', async () => {
    const before = await natsLeftovers(nats.urls);
    const boundary = 'cutoff';
    const { hostname, port } = new URL(url);
    await new Promise<void>((resolve) => {
      const req = http.request({
        host: hostname,
        port,
        method: 'POST',
        path: '/storage/file',
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      });
      req.on('error', () => resolve());
      const whole = fs.readFileSync(makeTone(media.dir, 'cut.mp3', 2));
      req.write(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="a.mp3"\r\n\r\n`);
      req.write(whole);
      req.write(
        `\r\n--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="b.mp3"\r\n\r\n`,
      );
      req.write(whole.subarray(0, 5000), () => setTimeout(() => (req.destroy(), resolve()), 300));
    });
    // Not a sleep: wait until the first part was stored and then removed (its deletion leaves
    // a small tombstone, so the stream's bytes grew) with no object, chunk or job left.
    let now = before;
    await eventually(
      'the cut-off upload is cleaned up',
      async () => {
        now = await natsLeftovers(nats.urls);
        return (
          now.tempBytes > before.tempBytes &&
          now.tempObjects === before.tempObjects &&
          now.tempChunks === before.tempChunks &&
          now.jobs === before.jobs
        );
      },
      10_000,
      () => ({ before, now }),
    );
  });

  test('after all that, the node still serves', async () => {
    expect((await fetch(`${url}/storage/health`)).status).toBe(200);
    const ok = await curlUpload(url, [makeTone(media.dir, 'fine.mp3', 1)], 'audio');
    expect((await waitForJob(url, ok.body[0].id)).status).toBe('done');
  });
});
