import { curlUpload, getJson, waitForJob } from '../harness/http';
import { natsLeftovers } from '../harness/inspect';
import { makeTone } from '../harness/media';
import { startTestNats, type TestNats } from '../harness/nats';
import { startTestNodes, type TestNodes } from '../harness/nodes';
import { tempDir } from '../harness/temp';
import { eventually } from '../repair/cluster';
import { MAX_UPLOAD_BYTES } from './catalogue/http';
import { CATALOGUE } from './catalogue/index';
import { MAX_AUDIO_SECONDS, MAX_IMAGE_PIXELS } from './catalogue/media';
import type { AbuseCase, AbuseContext } from './catalogue/types';

type Leftovers = Awaited<ReturnType<typeof natsLeftovers>>;

/**
 * Issue 15: the catalogue of bad inputs (test/abuse/catalogue/), each sent to one real node.
 * Every case must get exactly its outcome; after each, the node still serves, and a refused
 * request left no job and no temp object (read from NATS directly, test/harness/inspect.ts).
 */
describe('abuse catalogue', () => {
  let nats: TestNats;
  let cluster: TestNodes;
  const media = tempDir('abuse');
  const ctx = { dir: media.dir } as AbuseContext;

  beforeAll(async () => {
    nats = await startTestNats(1);
    cluster = await startTestNodes(1, nats.urls, {
      AUDIUS_MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
      AUDIUS_MAX_AUDIO_SECONDS: String(MAX_AUDIO_SECONDS),
      AUDIUS_MAX_IMAGE_PIXELS: String(MAX_IMAGE_PIXELS),
      // Slow clients are cut in seconds, not the production half-minute.
      AUDIUS_HEADERS_TIMEOUT_SECONDS: '2',
      // Well past the weather map's peer timeouts (1.5 s + 3 s), on a loaded machine too.
      AUDIUS_IDLE_TIMEOUT_SECONDS: '8',
      AUDIUS_HEARTBEAT_SECONDS: '1',
    });
    Object.assign(ctx, { url: cluster.nodes[0].url, natsUrls: nats.urls });
    const { body } = await curlUpload(ctx.url, [makeTone(media.dir, 'good.mp3', 1)], 'audio');
    const job = await waitForJob(ctx.url, body[0].id);
    const upload = (await getJson(`${ctx.url}/uploads/${job.id}`)).body;
    const result = job.results.find((r: { variant: string }) => r.variant === '320');
    ctx.stored = { jobId: job.id, fileName: result.name, size: result.size, cid: upload.results['320'] };
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
    await nats?.stop();
    media.remove();
  });

  const count = Object.values(CATALOGUE).reduce((n, cases) => n + cases.length, 0);
  test(`holds at least 60 cases (${count})`, () => expect(count).toBeGreaterThanOrEqual(60));

  for (const [kind, cases] of Object.entries(CATALOGUE)) {
    describe(kind, () => {
      test.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
        try {
          await check(c);
        } finally {
          await expectServing();
        }
      });
    });
  }

  async function check(c: AbuseCase): Promise<void> {
    const before = await natsLeftovers(ctx.natsUrls);
    const e = c.expected;
    if ('refused' in e || 'served' in e) {
      const answer = await c.act(ctx);
      const want = 'refused' in e ? e.refused : { status: e.served.status, code: answer.code };
      expect({ status: answer.status, code: answer.code }).toEqual(want);
      // Cleanup of what was streamed in finishes before the answer; a cut-off body's, soon after.
      await leftNothing(before);
    } else if ('job' in e) {
      const answer = await c.act(ctx);
      expect([answer.status, answer.code]).toEqual([200, null]);
      const id = (answer.body as { id: string }[])[0].id;
      const job = await waitForJob(ctx.url, id, 30_000);
      const stored = (await getJson(`${ctx.url}/storage/long-term/shard/${id.slice(-3)}`)).body as unknown[];
      const ofJob = stored.filter((f) => JSON.stringify(f).includes(id));
      if (e.job === 'error') {
        // Nothing half-made is visible: no result in the record, none in the long-term store.
        expect([job.status, job.results, ofJob]).toEqual(['error', [], []]);
        expect(job.error.length).toBeGreaterThan(10);
      } else {
        expect(job.status).toBe('done');
        expect(ofJob).toHaveLength(job.results.length);
      }
    } else {
      const counted = await rejections(e.ignored);
      const healthy = await healthyIds();
      await c.act(ctx);
      await eventually(
        `the node counts a record rejected as ${e.ignored}`,
        async () => (await rejections(e.ignored)) > counted,
        10_000,
      );
      expect(await healthyIds()).toEqual(healthy);
      await leftNothing(before);
    }
  }

  /** The node answers health 200; if not, the failure shows what it printed last. */
  async function expectServing(): Promise<void> {
    const status = await fetch(`${ctx.url}/storage/health`).then(
      (res) => res.status,
      (err: Error) => err.message,
    );
    if (status !== 200)
      throw new Error(`the node stopped serving (${status}):\n${cluster.output.slice(-30).join('\n')}`);
  }

  async function leftNothing(before: Leftovers): Promise<void> {
    let now = before;
    await eventually(
      'no job and no temp object are left',
      async () => same((now = await natsLeftovers(ctx.natsUrls)), before),
      5000,
      () => ({ before, now }),
    );
  }

  /** No new job, temp object or chunk; a deleted object's small tombstone is no leftover. */
  function same(a: Leftovers, b: Leftovers): boolean {
    return a.jobs === b.jobs && a.tempObjects === b.tempObjects && a.tempChunks === b.tempChunks;
  }

  /** storage_membership_records_rejected_total{reason}. */
  async function rejections(reason: string): Promise<number> {
    const text = await (await fetch(`${ctx.url}/storage/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith(`storage_membership_records_rejected_total{reason="${reason}"}`));
    return line ? Number(line.split(' ').at(-1)) : 0;
  }

  async function healthyIds(): Promise<string[]> {
    const { body } = await getJson(`${ctx.url}/storage/nodes`);
    return body.nodes.filter((n: { healthy: boolean }) => n.healthy).map((n: { nodeId: string }) => n.nodeId);
  }
});
