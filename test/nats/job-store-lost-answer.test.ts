import type { KV } from '@nats-io/kv';
import { TimeoutError } from '@nats-io/transport-node';
import { createLogger } from '../../shared/log';
import { newId } from '../../shared/jobs/ids';
import { JobIndex } from '../../shared/jobs/job-index';
import { JobStore } from '../../shared/jobs/job-store';
import type { Job } from '../../shared/jobs/types';
import { connectNats, type Nats } from '../../shared/nats/connection';
import { BUCKETS } from '../../shared/nats/names';
import { ensureNatsResources } from '../../shared/nats/resources';
import { testConfig } from '../harness/config';
import { startTestNats, type TestNats } from '../harness/nats';
import { tempDir } from '../harness/temp';

/**
 * A compare-and-set whose answer is lost (a NATS server dies after the stream stored the
 * write, before the reply reached us) has landed. Its retry fails on the revision; the store
 * must see its own record there, not a rival's: the transcode step decides "did my claim win"
 * from what `change` sees, and once dropped a won attempt's results for that reason.
 *
 * The lost answer is injected (the real write goes to a real nats-server, then the call throws
 * the client's TimeoutError): losing exactly one reply cannot be arranged with a real server.
 */
describe('a job update whose answer was lost', () => {
  let server: TestNats;
  let nats: Nats;
  let kv: KV;
  let index: JobIndex;
  const dir = tempDir('lost-answer');

  beforeAll(async () => {
    server = await startTestNats(1);
    nats = await connectNats(server.urls, 'lost-answer', 1);
    const config = testConfig(server.urls, dir.dir);
    await ensureNatsResources(nats, config, createLogger('test', 'silent'));
    kv = await nats.kvm.open(BUCKETS.jobs);
    index = new JobIndex(await nats.kvm.open(BUCKETS.jobsOpen), await nats.kvm.open(BUCKETS.jobsRecent));
  }, 30_000);

  afterAll(async () => {
    await nats?.nc.close();
    await server?.stop();
    dir.remove();
  });

  /** KV `jobs` whose next `update` lands and then reports a timeout, as a lost reply does. */
  function losingOneAnswer(): KV & { calls: number; revisionsRead: number[] } {
    const lossy = Object.create(kv) as KV & { calls: number; revisionsRead: number[] };
    lossy.calls = 0;
    lossy.revisionsRead = [];
    lossy.get = (key, opts) => {
      if (opts?.revision) lossy.revisionsRead.push(opts.revision);
      return kv.get(key, opts);
    };
    lossy.update = async (key, value, revision) => {
      const call = lossy.calls++;
      const landed = await kv.update(key, value, revision);
      if (call === 0) throw new TimeoutError();
      return landed;
    };
    return lossy;
  }

  test('is recognised as our own write: change runs once and the index follows the status', async () => {
    const lossy = losingOneAnswer();
    const store = new JobStore(lossy, index, { budgetMs: 5000 });
    const id = newId();
    await store.create({
      id,
      status: 'in_progress',
      stage: 'transcoding',
      created_at: new Date().toISOString(),
    } as Job);
    expect(await store.openIds()).toContain(id);

    const seen: string[] = [];
    const out = await store.update(id, (job) => {
      seen.push(String(job.status));
      // As the transcode step's final write: only a record still transcoding is ours to end.
      return job.status === 'in_progress' ? ({ ...job, status: 'done' } as Job) : null;
    });

    expect(lossy.calls).toBe(2); // the first write (answer lost) and its retry
    // Checked at the revision the refusal named (the leader's word), which holds our write.
    const landedAt = (await kv.get(id))!.revision;
    expect(lossy.revisionsRead).toEqual([landedAt]);
    expect(seen).toEqual(['in_progress']);
    expect(out.status).toBe('done');
    expect((await store.get(id))?.status).toBe('done');
    expect(await store.openIds()).not.toContain(id);
  });

  test("a rival's write that landed first still re-runs change on the rival's record", async () => {
    const id = newId();
    const plain = new JobStore(kv, index, { budgetMs: 5000 });
    await plain.create({
      id,
      status: 'in_progress',
      stage: 'transcoding',
      created_at: new Date().toISOString(),
    } as Job);
    const rivalFirst = Object.create(kv) as KV;
    let calls = 0;
    rivalFirst.update = async (key, value, revision) => {
      if (calls++ === 0) {
        // The rival's write lands first; ours then fails on the revision without being lost.
        const current = await kv.get(key);
        await kv.update(key, JSON.stringify({ ...current!.json<Job>(), status: 'error' }), current!.revision);
      }
      return kv.update(key, value, revision);
    };
    const store = new JobStore(rivalFirst, index, { budgetMs: 5000 });
    const seen: string[] = [];
    const out = await store.update(id, (job) => {
      seen.push(String(job.status));
      return job.status === 'in_progress' ? ({ ...job, status: 'done' } as Job) : null;
    });
    expect(seen).toEqual(['in_progress', 'error']);
    expect(out.status).toBe('error');
  });
});
