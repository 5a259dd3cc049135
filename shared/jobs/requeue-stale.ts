import { SUBJECTS } from '../nats/names';
import type { JobDeps } from './deps';
import { settleStalled } from './settle-stalled';
import { JOB_STATUS, type Job } from './types';

/** A pending job this old has either been waiting in a long queue or lost its work message. */
export const STALE_AFTER_MS = 5 * 60 * 1000;

export interface RequeueReport {
  /** Jobs whose work message was missing and has been published again. */
  requeued: string[];
  /** Stale jobs whose message is still queued (the republish was a duplicate). */
  stillQueued: number;
  /** Jobs that waited longer than the temp store keeps uploads, now `error`. */
  expired: string[];
  /** `in_progress` jobs silent past their bound (./settle-stalled.ts), now `done` or `error`. */
  settled: string[];
}

/**
 * The stale-job sweeper (a scheduled task). It also ends `in_progress` jobs that went silent
 * (./settle-stalled.ts), so every job ends `done` or `error` within a stated bound.
 *
 * Pending jobs: an upload is acknowledged only after its job is
 * published, but a node can die between writing the job record and publishing its work
 * message. Every pending job older than STALE_AFTER_MS is published again under its id; the
 * JOBS stream's duplicate window (the temp-store lifetime) drops the republish when the
 * original message exists, so nothing ever runs twice. A job older than the temp store's
 * lifetime cannot run any more (its upload is gone) and ends in `error`.
 */
export async function requeueStaleJobs(s: JobDeps, now = Date.now()): Promise<RequeueReport> {
  const report: RequeueReport = { requeued: [], stillQueued: 0, expired: [], settled: [] };
  const ttlMs = s.config.tempTtlHours * 3600 * 1000;
  // Only the open jobs (shared/jobs/job-index.ts): the cost is the work in flight, not history.
  const pending: Job[] = [];
  for (const id of await s.jobs.openIds()) {
    const job = await s.jobs.get(id);
    if (job?.status === JOB_STATUS.pending) pending.push(job);
    else if (job?.status === JOB_STATUS.inProgress) {
      const outcome = await settleStalled(s, id, now);
      if (outcome === 'failed' || outcome === 'stored') report.settled.push(id);
    }
  }
  for (const job of pending) {
    const age = now - Date.parse(job.created_at);
    if (age < STALE_AFTER_MS) continue;
    if (age >= ttlMs) {
      await expire(s, job);
      report.expired.push(job.id);
      continue;
    }
    const ack = await s.nats.js.publish(SUBJECTS.job(job.template), JSON.stringify({ id: job.id }), {
      msgID: job.id,
    });
    if (ack.duplicate) report.stillQueued += 1;
    else report.requeued.push(job.id);
  }
  if (report.requeued.length > 0 || report.expired.length > 0 || report.settled.length > 0)
    s.log.warn(report, 'stale jobs swept');
  return report;
}

async function expire(s: JobDeps, job: Job): Promise<void> {
  const reason = `no node took the job within ${s.config.tempTtlHours} h; its upload has expired from the temp store`;
  await s.jobs.update(job.id, (j) =>
    j.status === JOB_STATUS.pending
      ? { ...j, status: JOB_STATUS.error, error: reason, finished_at: new Date().toISOString() }
      : null,
  );
}
