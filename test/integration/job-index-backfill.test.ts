import { NoRespondersError } from '@nats-io/transport-node';
import { createLogger } from '../../shared/log';
import { BACKFILL_MARKER, backfillJobIndexes, type BackfillIndexes } from '../../shared/jobs/backfill-index';
import { newId } from '../../shared/jobs/ids';
import { JobIndex } from '../../shared/jobs/job-index';
import { JobStore } from '../../shared/jobs/job-store';
import type { Job, JobStatus } from '../../shared/jobs/types';
import { connectNats, type Nats } from '../../shared/nats/connection';
import { BUCKETS } from '../../shared/nats/names';
import { ensureNatsResources } from '../../shared/nats/resources';
import { testConfig } from '../harness/config';
import { startTestNats, type TestNats } from '../harness/nats';
import { tempDir } from '../harness/temp';

const DAY = 86_400_000;

/**
 * Issue 15, "scans of every job": jobs made before the indexes existed are in none of them,
 * so the sweeper, `GET /jobs`, the shard page and the audit would never see them. The
 * one-time backfill at start puts them in, and a second run (another node, a restart) changes
 * nothing. Records are written straight into KV `jobs`, as a node of the previous version did.
 */
describe('the one-time backfill of the job indexes', () => {
  let server: TestNats;
  let nats: Nats;
  let ix: BackfillIndexes;
  let jobs: JobStore;
  const dir = tempDir('backfill');
  const log = createLogger('test', 'silent');

  beforeAll(async () => {
    server = await startTestNats(1);
    nats = await connectNats(server.urls, 'backfill', 1);
    const config = testConfig(server.urls, dir.dir);
    await ensureNatsResources(nats, config, log);
    ix = {
      open: await nats.kvm.open(BUCKETS.jobsOpen),
      recent: await nats.kvm.open(BUCKETS.jobsRecent),
      byShard: await nats.kvm.open(BUCKETS.jobsByShard),
      shardLength: config.shardLength,
      recentMs: config.jobListingDays * DAY,
    };
    jobs = new JobStore(
      await nats.kvm.open(BUCKETS.jobs),
      new JobIndex(ix.open, ix.recent, { kv: ix.byShard, shardLength: ix.shardLength }),
    );
  }, 30_000);

  afterAll(async () => {
    await nats?.nc.close();
    await server?.stop();
    dir.remove();
  });

  const keys = async (kv: BackfillIndexes['open']) => {
    const out: string[] = [];
    for await (const k of await kv.keys()) out.push(k);
    return out.sort();
  };

  test('pre-index jobs enter the indexes they belong in; a second run is a no-op', async () => {
    // Prepare: three jobs of the old version (no index entries), one made by this version.
    const now = Date.now();
    const kv = await nats.kvm.open(BUCKETS.jobs);
    const old = async (status: JobStatus, ageMs: number) => {
      const id = newId();
      const job = { id, status, created_at: new Date(now - ageMs).toISOString(), results: [] };
      await kv.create(id, JSON.stringify(job));
      return id;
    };
    const oldDone = await old('done', 30 * DAY);
    const recentDone = await old('done', DAY);
    const pending = await old('pending', 60_000);
    const current = newId();
    await jobs.create({ id: current, status: 'in_progress', created_at: new Date(now).toISOString() } as Job);
    const shardKey = (id: string) => `${id.slice(-ix.shardLength)}.${id}`;

    // Act
    const first = await backfillJobIndexes(jobs, ix, log, now);

    // Assess: every job by shard; the listing window and the open set as the statuses say.
    expect(first).toEqual({ jobs: 4, added: 3 + 2 + 1 });
    expect(await keys(ix.byShard)).toEqual(
      [...[oldDone, recentDone, pending, current].map(shardKey), BACKFILL_MARKER].sort(),
    );
    expect(await keys(ix.recent)).toEqual([recentDone, pending, current].sort());
    expect(await keys(ix.open)).toEqual([pending, current].sort());
    // The entry this version wrote is kept as it was (created, never overwritten).
    expect((await ix.open.get(current))?.string()).toBe('in_progress');
    expect(await jobs.shardIds(oldDone.slice(-ix.shardLength))).toContain(oldDone);
    expect((await jobs.list({ limit: 10 })).jobs.map((j) => j.id)).toEqual(
      [recentDone, pending, current].sort().reverse(),
    );

    // A shard's ids read from the stream's subjects (the node's way: no consumer made) are
    // the key listing's, for a shard with jobs and for an empty one.
    const bySubjects = new JobIndex(ix.open, ix.recent, {
      kv: ix.byShard,
      shardLength: ix.shardLength,
      jsm: nats.jsm,
    });
    const created: string[] = [];
    const watcher = nats.nc.subscribe('$JS.API.CONSUMER.CREATE.>', {
      callback: (_, m) => {
        created.push(m.subject);
      },
    });
    for (const id of [oldDone, recentDone, pending, current]) {
      const shard = id.slice(-ix.shardLength);
      expect(((await bySubjects.shardIds(shard)) ?? []).sort()).toEqual(
        ((await jobs.shardIds(shard)) ?? []).sort(),
      );
      expect(await bySubjects.shardIds(shard)).toContain(id);
    }
    expect(await bySubjects.shardIds('zzz'.slice(0, ix.shardLength))).toEqual([]);
    watcher.unsubscribe();
    // The key listings of the comparison made one consumer each; the subject reads none.
    expect(created).toHaveLength(4);

    // Act again: another node starting, or this one restarting.
    const revisions = async () =>
      Promise.all([ix.open, ix.recent, ix.byShard].map(async (b) => (await b.status()).values));
    const before = await revisions();
    expect(await backfillJobIndexes(jobs, ix, log, now)).toBeNull();
    expect(await revisions()).toEqual(before);
  }, 30_000);

  test("a job's index write that meets a NATS server restarting is retried, not failed", async () => {
    // The first write meets no responders, as the node connected to a NATS server that was
    // killed saw in the chaos suite (its uploads were answered 503 without a retry).
    class FlakyIndex extends JobIndex {
      failures = 1;
      override async recordNew(id: string, status: JobStatus): Promise<void> {
        if (this.failures-- > 0) throw new NoRespondersError(`$KV.${BUCKETS.jobsByShard}.${id}`);
        return super.recordNew(id, status);
      }
    }
    const index = new FlakyIndex(ix.open, ix.recent, { kv: ix.byShard, shardLength: ix.shardLength });
    const store = new JobStore(await nats.kvm.open(BUCKETS.jobs), index, { budgetMs: 5000 });
    const id = newId();
    await store.create({ id, status: 'pending', created_at: new Date().toISOString() } as Job);
    expect(index.failures).toBe(-1);
    expect(await store.openIds()).toContain(id);
    expect(await store.shardIds(id.slice(-ix.shardLength))).toContain(id);
  });
});
