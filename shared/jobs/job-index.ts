import type { JetStreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { BUCKETS } from '../nats/names';
import { JOB_STATUS, type JobStatus } from './types';

/**
 * Two small indexes beside KV `jobs` (issue 15), so no route or sweep reads every job ever made:
 *
 * - `jobs_open`: the jobs not yet `done` or `error`, keyed by id. The sweeper walks only these;
 *   its size is the work in flight. A finished job's key is deleted; the bucket's max age (the
 *   temp-store lifetime plus two hours — no job stays open longer, the sweeper ends it) drops
 *   the delete markers and anything a failed delete left behind.
 * - `jobs_recent`: every job of the last AUDIUS_JOB_LISTING_DAYS, keyed by id, with its status:
 *   `GET /storage/jobs` pages through these. Older jobs stay readable by id.
 *
 * - `jobs_by_shard`: every job, keyed `<shard>.<id>` (written once, at creation): the weather
 *   map's shard page and repair's audit find a shard's jobs with a subject filter, at a cost
 *   that follows the shard's jobs, not all jobs ever made.
 *
 * The job records themselves are kept: they are the catalogue of what should be stored, which
 * repair's audit and the archiver read. The value of every index is the job's status (at
 * creation, for `jobs_by_shard`). Jobs made before an index existed get in by the one-time
 * backfill (./backfill-index.ts).
 */
export class JobIndex {
  constructor(
    private readonly open: KV,
    private readonly recent: KV,
    /**
     * With `jsm`, a shard's keys are the subjects the stream info lists (one request, no
     * consumer); without it, a KV key listing (an ordered consumer made and deleted per shard).
     */
    private readonly byShard?: { kv: KV; shardLength: number; jsm?: JetStreamManager },
  ) {}

  /** Records a new job: the status indexes and its shard's. */
  async recordNew(id: string, status: JobStatus): Promise<void> {
    await Promise.all([this.record(id, status), this.byShard?.kv.put(this.shardKey(id), status)]);
  }

  /** Ids of every job of `shard`; null without the shard index. */
  async shardIds(shard: string): Promise<string[] | null> {
    if (!this.byShard) return null;
    if (this.byShard.jsm) return shardSubjects(this.byShard.jsm, shard);
    const keys: string[] = [];
    for await (const key of await this.byShard.kv.keys(`${shard}.>`)) keys.push(key.slice(shard.length + 1));
    return keys;
  }

  hasShardIndex(): boolean {
    return this.byShard !== undefined;
  }

  /** `<shard>.<id>`: a job's shard is the end of its id (DESIGN §3). */
  shardKey(id: string): string {
    return `${id.slice(-(this.byShard?.shardLength ?? 0))}.${id}`;
  }

  /** Records `id` at `status`: on creation and on every change of status. */
  async record(id: string, status: JobStatus): Promise<void> {
    const finished = status === JOB_STATUS.done || status === JOB_STATUS.error;
    await Promise.all([
      this.recent.put(id, status),
      finished ? this.open.delete(id) : this.open.put(id, status),
    ]);
  }

  /** Ids of the jobs not finished. */
  openIds(): Promise<string[]> {
    return keysOf(this.open);
  }

  /** Ids of the jobs of the listing window, any status. */
  recentIds(): Promise<string[]> {
    return keysOf(this.recent);
  }
}

async function keysOf(kv: KV): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of await kv.keys()) keys.push(key);
  return keys;
}

/**
 * The ids of a shard's keys in `jobs_by_shard`, from the subjects its stream holds (keys are
 * written once and never deleted, so every subject is a live key). Repair's audit asks this of
 * 256 shards at a time: as key listings that was 256 consumers made and deleted through
 * JetStream's meta leader per audit and node, which in the chaos suite left NATS too busy to
 * answer job reads for seconds at a time (issue 15).
 */
async function shardSubjects(jsm: JetStreamManager, shard: string): Promise<string[]> {
  const prefix = `$KV.${BUCKETS.jobsByShard}.${shard}.`;
  const info = await jsm.streams.info(`KV_${BUCKETS.jobsByShard}`, { subjects_filter: `${prefix}>` });
  return Object.keys(info.state.subjects ?? {}).map((subject) => subject.slice(prefix.length));
}
