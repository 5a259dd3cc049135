import { describeError } from '../errors';
import { openTempStore } from '../nats/temp-objects';
import type { JobDeps } from './deps';
import { tempNameOf } from './temp-names';
import { JOB_STATUS, type Job } from './types';

/**
 * The bounds within which every job ends (issue 15; README "Hardening"). Progress is written
 * every second while a transcode runs and every failed attempt writes its reason, so a job
 * `in_progress` whose record nobody wrote for TRANSCODE_STALL_MS has no worker left: its
 * last delivery was lost or its retries ran out without a word. A job in the storing stage is
 * retried by the storers for about an hour (serverless.yml `storeResults`), then by repair.
 */
export const TRANSCODE_STALL_MS = 30 * 60 * 1000;
export const STORE_STALL_MS = 2 * 3600 * 1000;

export type StalledOutcome = 'failed' | 'stored' | 'waiting';

/**
 * Ends an `in_progress` job that has been silent past its bound. A transcode ends `error`.
 * A job whose results are all held by at least one node ends `done` (durably stored; repair
 * brings every file to its R owners); one with a result nobody holds and that is gone from the
 * temp store ends `error` — it can never be stored. One whose results are still in the temp
 * store but on no node waits (no owner could store anything): the temp store's lifetime bounds it.
 */
export async function settleStalled(s: JobDeps, id: string, now: number): Promise<StalledOutcome | null> {
  const found = await s.jobs.getWithTime(id);
  if (!found || found.job.status !== JOB_STATUS.inProgress) return null;
  const { job, writtenAt } = found;
  const silentMs = now - writtenAt;
  if (job.stage !== 'storing') {
    if (silentMs < TRANSCODE_STALL_MS) return null;
    const minutes = Math.round(silentMs / 60_000);
    return (await end(
      s,
      job,
      JOB_STATUS.error,
      `the transcode stopped: no worker has touched the job for ${minutes} min`,
    ))
      ? 'failed'
      : null;
  }
  if (silentMs < STORE_STALL_MS) return null;
  if (job.results.every((r) => r.nodes.length > 0)) {
    return (await end(s, job, JOB_STATUS.done)) ? 'stored' : null;
  }
  for (const r of job.results.filter((r) => r.nodes.length === 0)) {
    if (!(await goneFromTemp(s, r.bucket, tempNameOf(r)))) return 'waiting';
  }
  const lost = job.results.filter((r) => r.nodes.length === 0).map((r) => r.name);
  return (await end(s, job, JOB_STATUS.error, resultsGone(lost))) ? 'failed' : null;
}

/** Why a job whose results left the temp store before any owner stored them ends `error`. */
export function resultsGone(names: string[]): string {
  return `results unrecoverable: ${names.join(', ')} left the temp store before any owner stored them`;
}

async function end(s: JobDeps, job: Job, status: 'done' | 'error', reason?: string): Promise<boolean> {
  let changed = false;
  await s.jobs.update(job.id, (j) => {
    changed = j.status === JOB_STATUS.inProgress;
    if (!changed) return null;
    const finished_at = new Date().toISOString();
    return status === JOB_STATUS.done
      ? { ...j, status, finished_at, error: undefined }
      : { ...j, status, finished_at, error: reason };
  });
  if (changed) s.log.warn({ job: job.id, status, reason }, 'stalled job ended');
  return changed;
}

/** True only when the temp store answers that the object is not there (an error is not "gone"). */
export async function goneFromTemp(s: JobDeps, bucket: string, name: string): Promise<boolean> {
  try {
    const info = await (await openTempStore(s.nats, bucket)).info(name);
    return !info || info.deleted;
  } catch (err) {
    s.log.warn({ bucket, name, err: describeError(err) }, 'could not ask the temp store');
    return false;
  }
}
