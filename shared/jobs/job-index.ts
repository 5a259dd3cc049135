import type { KV } from '@nats-io/kv';
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
 * The job records themselves are kept: they are the catalogue of what should be stored, which
 * repair's audit and the archiver read. The value of both indexes is the job's status.
 */
export class JobIndex {
  constructor(
    private readonly open: KV,
    private readonly recent: KV,
  ) {}

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
