import fs from 'node:fs';
import { signEnvelope } from '../../shared/access/signed-envelope';
import { identityFromHex } from '../../shared/identity/wallet';
import { randomKey } from '../harness/config';
import { curlUpload, getJson, waitForJob } from '../harness/http';
import { makeTone, sha256Hex } from '../harness/media';
import { startTestNats, type TestNats } from '../harness/nats';
import { startTestNodes, type TestNodes } from '../harness/nodes';
import { tempDir } from '../harness/temp';

/**
 * Issue 15: temp objects (unreleased originals) only for nodes and signed callers, whatever
 * the read policy; no temp-store internals in public job answers; nosniff on every answer;
 * and a node with a dashboard's event stream open still stops, in bounded time.
 */
describe('exposed internals and shutdown', () => {
  let nats: TestNats;
  let cluster: TestNodes;
  let url: string;
  let upload: any;
  let file: string;
  const temp = tempDir('internals');
  const player = identityFromHex(randomKey());
  const signed = (name: string) =>
    `signature=${encodeURIComponent(signEnvelope(player.privateKey, { cid: name, timestamp: Date.now() }))}`;

  beforeAll(async () => {
    nats = await startTestNats(1);
    // Reads open (AUDIUS_GATED_VARIANTS=none, as `npm start`): temp objects must stay closed.
    cluster = await startTestNodes(1, nats.urls, { AUDIUS_STREAM_SIGNERS: player.address });
    url = cluster.nodes[0].url;
    file = makeTone(temp.dir, 'x.wav', 1);
    upload = (await curlUpload(url, [file], 'audio')).body[0];
    await waitForJob(url, upload.id);
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop();
    await nats?.stop();
    temp.remove();
  });

  const expectPublic = (job: any) => {
    expect(job.id).toBe(upload.id);
    expect(job.status).toBe('done');
    expect(job.source_info).not.toHaveProperty('bucket');
    expect(job.source_info).not.toHaveProperty('nuid');
    expect(job.source_info.description).toBe('x.wav');
    expect(job.results.length).toBe(3); // the MP3, its preview, the kept original
    for (const r of job.results) {
      expect(r).not.toHaveProperty('bucket');
      expect(r).not.toHaveProperty('temp_name');
      expect(r).toEqual(
        expect.objectContaining({
          name: expect.any(String),
          size: expect.any(Number),
          sha256: expect.any(String),
        }),
      );
    }
  };

  test('public job answers carry no temp-store internals; names, sizes and digests stay', async () => {
    expect(upload.source_info.bucket).toMatch(/^temp_\d+$/); // the uploader's own answer keeps it
    expectPublic((await getJson(`${url}/storage/jobs/${upload.id}`)).body);
    const { body: list } = await getJson(`${url}/storage/jobs?limit=5`);
    expectPublic(list.find((j: any) => j.id === upload.id));
  });

  test('a temp object needs a signature even when reads are open; signed, it is the exact upload', async () => {
    const path = `/storage/tmp-obj/${upload.source_info.bucket}/${upload.id}`;
    const refused = await fetch(url + path);
    expect([refused.status, ((await refused.json()) as any).code]).toEqual([401, 'SIGNATURE_REQUIRED']);
    const res = await fetch(`${url}${path}?${signed(upload.id)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(sha256Hex(Buffer.from(await res.arrayBuffer()))).toBe(sha256Hex(fs.readFileSync(file)));
    // Signed for another name: refused.
    const other = await fetch(`${url}${path}?${signed('cle4h8b1g000101q8l4tz2mkx')}`);
    expect(other.status).toBe(403);
  });

  test('every answer says nosniff: JSON, errors, pages, files', async () => {
    const done = (await getJson(`${url}/storage/jobs/${upload.id}`)).body;
    for (const path of [
      '/storage/health',
      '/storage/jobs',
      '/storage/no-such-route',
      '/storage/',
      `/storage/long-term/file/${done.results[0].name}`,
    ]) {
      const res = await fetch(url + path);
      await res.arrayBuffer();
      expect([path, res.headers.get('x-content-type-options')]).toEqual([path, 'nosniff']);
    }
  });

  test('the event stream sends public jobs, and an open one does not hold the shutdown', async () => {
    const controller = new AbortController();
    const res = await fetch(`${url}/storage/events`, { signal: controller.signal });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const reader = res.body!.getReader();
    let text = '';
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) return false;
        text += new TextDecoder().decode(value);
      }
      return true;
    };
    expect(await readUntil(/event: hello/)).toBe(true);
    const second = (await curlUpload(url, [file], 'audio')).body[0];
    expect(await readUntil(new RegExp(`"id":"${second.id}"[^\\n]*"status":"done"`))).toBe(true);
    const doneEvent = text.split('\n').find((l) => l.includes(second.id) && l.includes('"status":"done"'))!;
    expect(doneEvent).not.toMatch(/"bucket"|"temp_name"|"nuid"/);

    const started = Date.now();
    const node = cluster.nodes[0];
    // SIGTERM; SIGKILL only after 60 s (a hung shutdown shows as the kill).
    await node.stop(60_000);
    expect(await node.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(await readUntil(/never/)).toBe(false); // the stream was ended by the node
    controller.abort();
  }, 120_000);
});
