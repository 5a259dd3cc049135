import type { KV } from '@nats-io/kv';
import { mapLimit } from '../blob/concurrency';
import type { Logger } from '../log';
import type { JobStore } from './job-store';
import { JOB_STATUS, type Job } from './types';

/** Set in KV `jobs_by_shard` once every job made before the indexes is in them. */
export const BACKFILL_MARKER = '_meta.backfill_v1';
const CONCURRENCY = 8;

export interface BackfillIndexes {
  open: KV;
  recent: KV;
  byShard: KV;
  shardLength: number;
  /** The listing window of `jobs_recent`, ms: older jobs are left out of it. */
  recentMs: number;
}

/**
 * The one-time backfill of the job indexes (issue 15): jobs made before `jobs_open`,
 * `jobs_recent` and `jobs_by_shard` existed are in none of them, so the sweeper, the listings
 * and the shard page would never see them. Reads each job record once, eight at a time,
 * adds what an index lacks (create, so an entry written since is never overwritten), and
 * sets a marker at the end: later starts cost one read. Idempotent: a node stopped halfway,
 * or two nodes running it at once, leave the same indexes.
 */
export async function backfillJobIndexes(
  jobs: JobStore,
  ix: BackfillIndexes,
  log: Logger,
  now = Date.now(),
): Promise<{ jobs: number; added: number } | null> {
  if ((await ix.byShard.get(BACKFILL_MARKER))?.operation === 'PUT') return null;
  const ids = await jobs.ids();
  let added = 0;
  await mapLimit(ids, CONCURRENCY, async (id) => {
    const job = await jobs.get(id);
    const n = job ? await backfillOne(jobs, ix, job, now) : 0;
    added += n; // after the await: `added += await …` would add to a stale total
  });
  await ix.byShard.put(
    BACKFILL_MARKER,
    JSON.stringify({ at: new Date(now).toISOString(), jobs: ids.length }),
  );
  log.info({ jobs: ids.length, added }, 'job indexes backfilled');
  return { jobs: ids.length, added };
}

async function backfillOne(jobs: JobStore, ix: BackfillIndexes, job: Job, now: number): Promise<number> {
  const finished = (status: string) => status === JOB_STATUS.done || status === JOB_STATUS.error;
  let added = 0;
  if (await createIfAbsent(ix.byShard, `${job.id.slice(-ix.shardLength)}.${job.id}`, job.status)) added++;
  if (now - Date.parse(job.created_at) < ix.recentMs && (await createIfAbsent(ix.recent, job.id, job.status)))
    added++;
  if (!finished(job.status) && (await createIfAbsent(ix.open, job.id, job.status))) {
    added++;
    // The job may have finished between the read and the create, its index entry deleted
    // before ours landed: read again, and take ours back if so.
    const latest = await jobs.get(job.id);
    if (!latest || finished(latest.status)) await ix.open.delete(job.id);
  }
  return added;
}

/** A KV create that reports whether it wrote (false: the key has a value already). */
async function createIfAbsent(kv: KV, key: string, value: string): Promise<boolean> {
  try {
    await kv.create(key, value);
    return true;
  } catch (err) {
    if (/wrong last sequence|key exists/i.test(String(err))) return false;
    throw err;
  }
}
