import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { connectNats, type Nats } from '../../shared/nats/connection';
import { BUCKETS } from '../../shared/nats/names';
import { curlUpload, waitForJob } from '../harness/http';
import { natsLeftovers } from '../harness/inspect';
import { makeTone } from '../harness/media';
import { startTestNats, type TestNats } from '../harness/nats';
import { startTestNodes, type TestNodes } from '../harness/nodes';
import { tempDir } from '../harness/temp';
import { eventually } from '../repair/cluster';

const MIB = 1024 * 1024;
/** Two temp stores of 2 MiB each (uploads stop at 80 %: 1.6 MiB). */
const TEMP_MAX = 4 * MIB;

/**
 * Issue 15: the temp object stores had no byte limit and shared JetStream's storage with the
 * control plane; filling them stopped heartbeats. Now each store has its limit, a full one
 * answers uploads 507 TEMP_STORE_FULL (before the body is read, or when JetStream refuses a
 * chunk half-way), KV `nodes` and `jobs` keep writing, and uploads work again once space returns.
 */
describe('a full temp store', () => {
  let nats: TestNats;
  let cluster: TestNodes;
  let client: Nats;
  let url: string;
  const media = tempDir('js-full');

  beforeAll(async () => {
    nats = await startTestNats(1);
    cluster = await startTestNodes(1, nats.urls, {
      AUDIUS_TEMP_MAX_BYTES: String(TEMP_MAX),
      AUDIUS_HEARTBEAT_SECONDS: '1',
    });
    url = cluster.nodes[0].url;
    client = await connectNats(nats.urls, 'filler', 1);
  }, 60_000);

  afterAll(async () => {
    await client?.nc.close();
    await cluster?.stop();
    await nats?.stop();
    media.remove();
  });

  /** What "uploads filled the store" leaves: an object of `bytes` in every temp store. */
  const fill = async (bytes: number) => {
    for (const k of [0, 1]) {
      const store = await client.objm.open(BUCKETS.temp(k));
      await store.putBlob({ name: 'filler' }, randomBytes(bytes));
    }
  };
  const unfill = async () => {
    for (const k of [0, 1]) {
      const store = await client.objm.open(BUCKETS.temp(k));
      if (await store.info('filler')) await store.delete('filler');
    }
  };
  afterEach(unfill);

  test('every stream and bucket has its byte limit', async () => {
    const limits: Record<string, number> = {};
    for await (const s of client.jsm.streams.list()) limits[s.config.name] = s.config.max_bytes;
    expect(limits).toEqual({
      JOBS: 256 * MIB,
      RESULTS: 256 * MIB,
      KV_jobs: 1024 * MIB,
      KV_jobs_open: 256 * MIB,
      KV_jobs_recent: 256 * MIB,
      KV_jobs_by_shard: 256 * MIB,
      KV_cids: 256 * MIB, // sized like the job indexes
      KV_upload_slots: 256 * MIB,
      KV_nodes: 16 * MIB,
      KV_delist: 64 * MIB,
      OBJ_temp_0: 2 * MIB,
      OBJ_temp_1: 2 * MIB,
    });
  });

  test('past 80 % uploads are 507 TEMP_STORE_FULL, nothing is left, the control plane still writes', async () => {
    await fill(1.7 * MIB);
    const before = await natsLeftovers(nats.urls);
    const tone = makeTone(media.dir, 'tone.mp3', 1);
    // The fill is looked at at most once a second.
    await eventually(
      'the upload is refused',
      async () => (await curlUpload(url, [tone], 'audio')).status === 507,
      5000,
    );
    const res = await fetch(`${url}/storage/file`, { method: 'POST', body: form(tone) });
    expect([
      res.status,
      res.headers.get('retry-after'),
      ((await res.json()) as { code: string }).code,
    ]).toEqual([507, '60', 'TEMP_STORE_FULL']);
    expect(await natsLeftovers(nats.urls)).toEqual(before);

    // Heartbeats land (KV `nodes`), and a job record can still be written (KV `jobs`).
    const nodes = await client.kvm.open(BUCKETS.nodes);
    let key = '';
    for await (const k of await nodes.keys()) key = k;
    const revision = (await nodes.get(key))!.revision;
    await eventually('a new heartbeat', async () => (await nodes.get(key))!.revision > revision, 5000);
    const jobs = await client.kvm.open(BUCKETS.jobs);
    await jobs.put('control-plane-probe', JSON.stringify({ ok: true }));
    await jobs.delete('control-plane-probe');
    expect((await fetch(`${url}/storage/health`)).status).toBe(200);
  });

  test('an upload JetStream refuses half-way is 507 and leaves no chunk, no object, no job', async () => {
    // Below the admission line (1.6 MiB), but too full for a 0.6 MiB upload.
    await fill(1.5 * MIB);
    const before = await natsLeftovers(nats.urls);
    const wav = makeTone(media.dir, 'seven.wav', 7); // 44.1 kHz 16-bit mono: ~617 KB
    const res = await curlUpload(url, [wav], 'audio');
    expect([res.status, res.body.code]).toEqual([507, 'TEMP_STORE_FULL']);
    expect(await natsLeftovers(nats.urls)).toEqual(before);
  });

  test('when space returns, uploads are taken and finish', async () => {
    const tone = makeTone(media.dir, 'after.mp3', 1);
    // Full first, so this shows the way back whatever ran before it.
    await fill(1.7 * MIB);
    await eventually(
      'the upload is refused',
      async () => (await curlUpload(url, [tone], 'audio')).status === 507,
      5000,
    );
    await unfill();
    let res = await curlUpload(url, [tone], 'audio');
    await eventually(
      'uploads are taken again',
      async () => {
        if (res.status !== 200) res = await curlUpload(url, [tone], 'audio');
        return res.status === 200;
      },
      5000,
    );
    expect((await waitForJob(url, res.body[0].id)).status).toBe('done');
  });
});

function form(file: string): FormData {
  const data = new FormData();
  data.append('files', new Blob([fs.readFileSync(file)]), 'tone.mp3');
  data.append('template', 'audio');
  return data;
}
