import { curlUpload, waitForJob } from '../harness/http';
import { makeTone } from '../harness/media';
import { startTestNats, type TestNats } from '../harness/nats';
import { startTestNodes, type TestNodes } from '../harness/nodes';
import { tempDir } from '../harness/temp';
import { eventually } from '../repair/cluster';

/**
 * Issue 15: with JetStream unable to answer (two of three NATS servers down: no quorum; then
 * all three), a node answers 503 NATS_UNAVAILABLE with Retry-After — before the fix the same
 * requests were 500 INTERNAL ("Internal error") from the client's request timeouts — and
 * serves again once the servers are back.
 */
describe('JetStream without quorum', () => {
  let nats: TestNats;
  let cluster: TestNodes;
  let url: string;
  const media = tempDir('nats-down');

  beforeAll(async () => {
    nats = await startTestNats(3);
    cluster = await startTestNodes(1, nats.urls, {
      AUDIUS_NATS_TIMEOUT_SECONDS: '1',
      AUDIUS_NATS_RETRY_SECONDS: '3',
    });
    url = cluster.nodes[0].url;
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop();
    await nats?.stop();
    media.remove();
  });

  test('reads and uploads are 503 NATS_UNAVAILABLE with Retry-After, then work again', async () => {
    const tone = makeTone(media.dir, 'tone.mp3', 1);
    const first = await curlUpload(url, [tone], 'audio');
    expect(first.status).toBe(200);
    const id = first.body[0].id;
    expect((await waitForJob(url, id)).status).toBe('done');

    await Promise.all([nats.servers[1].kill(), nats.servers[2].kill()]);
    // No quorum: nothing can be written. Reads may still be served by the replica left
    // (KV direct gets), but never as a 500.
    const started = Date.now();
    const upload = await curlUpload(url, [tone], 'audio');
    expect([upload.status, upload.body.code]).toEqual([503, 'NATS_UNAVAILABLE']);
    // Within the retry budget (3 s) and one more request timeout (1 s), with slack for 2 cores.
    expect(Date.now() - started).toBeLessThan(10_000);
    const partial = await fetch(`${url}/storage/jobs/${id}`);
    expect([200, 503]).toContain(partial.status);

    // No server at all: reads too are 503 with Retry-After.
    await nats.servers[0].kill();
    const read = await fetch(`${url}/storage/jobs/${id}`);
    expect([
      read.status,
      read.headers.get('retry-after'),
      ((await read.json()) as { code: string }).code,
    ]).toEqual([503, '5', 'NATS_UNAVAILABLE']);

    await Promise.all([nats.restart(0), nats.restart(1), nats.restart(2)]);
    await eventually(
      'the job is readable again',
      async () => (await fetch(`${url}/storage/jobs/${id}`)).status === 200,
      60_000,
    );
    const again = await curlUpload(url, [tone], 'audio');
    expect(again.status).toBe(200);
    expect((await waitForJob(url, again.body[0].id, 90_000)).status).toBe('done');
  }, 180_000);
});
