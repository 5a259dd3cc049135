import { setTimeout as sleep } from 'node:timers/promises';
import type { JobDeps } from './deps';
import { JOB_STATUS, type Job } from './types';

/** How often a redelivery looks again at a job whose worker is alive. */
const RECHECK_MS = 1000;

/** How often a running attempt touches its job record to show it is alive. */
export const WORKER_HEARTBEAT_MS = 10_000;

/**
 * A claim whose record nobody has written for this long is taken over although its worker is
 * a healthy member: the worker's attempt ended without clearing the claim (the write was
 * refused while JetStream elected leaders: the chaos suite left jobs waiting 5 min on such a
 * claim, issue 15). Four heartbeats, so a write or two lost to an election is not enough.
 */
export const SILENT_WORKER_MS = 4 * WORKER_HEARTBEAT_MS;

/** Jobs this process is transcoding now: a redelivery to the same node must not start a second run. */
const running = new Set<string>();

/** Runs `work` with `id` marked as transcoding in this process. */
export async function runningHere<T>(id: string, work: () => Promise<T>): Promise<T> {
  running.add(id);
  try {
    return await work();
  } finally {
    running.delete(id);
  }
}

/**
 * Waits while the job's claimed worker is alive — this process running it, or another node
 * that is a healthy member, has not ended its attempt and keeps writing the record — and
 * returns once the job is finished, past transcoding, or its worker is gone or silent (then
 * the caller may claim it). The consumer shim keeps the message in progress meanwhile
 * (`working()`), and the step's timeout bounds the wait, as the worker's own timeout bounds
 * its run. Silence is measured on this node's clock from the record's write times changing,
 * so the nodes' clocks need not agree.
 */
export async function waitForLiveWorker(
  s: JobDeps,
  id: string,
  signal: AbortSignal,
  silentMs = SILENT_WORKER_MS,
): Promise<void> {
  let logged = false;
  let lastWrite = -1;
  let lastWriteSeenAt = Date.now();
  for (;;) {
    const found = await s.jobs.getWithTime(id);
    if (!found || !workerAlive(s, found.job)) return;
    const { job, writtenAt } = found;
    if (writtenAt !== lastWrite) {
      lastWrite = writtenAt;
      lastWriteSeenAt = Date.now();
    } else if (job.transcode_worker_id !== s.identity.address && Date.now() - lastWriteSeenAt > silentMs) {
      s.log.warn(
        { job: id, worker: job.transcode_worker_id, silentMs },
        'redelivered job: its worker has not written the record; taking it over',
      );
      return;
    }
    if (!logged) {
      s.log.info(
        { job: id, worker: job.transcode_worker_id },
        'redelivered job: waiting for its live worker',
      );
      logged = true;
    }
    await sleep(RECHECK_MS, undefined, { signal });
  }
}

/**
 * While an attempt runs, touches its job record every `everyMs` (the heartbeat a waiting
 * redelivery looks for); returns the function that stops it. A write lost to a busy JetStream
 * is skipped, not queued: the next beat is as good. Each write is a compare-and-set that
 * changes nothing once the claim is no longer this attempt's.
 */
export function heartbeatWhileRunning(
  s: JobDeps,
  id: string,
  attempt: number,
  everyMs = WORKER_HEARTBEAT_MS,
): () => void {
  let writing = false;
  const timer = setInterval(() => {
    if (writing) return;
    writing = true;
    s.jobs
      .update(id, (j) =>
        claimedBy(j, s.identity.address, attempt)
          ? { ...j, transcode_heartbeat_at: new Date().toISOString() }
          : null,
      )
      .catch(() => undefined)
      .finally(() => (writing = false));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** The record still names this worker's running attempt: nobody has taken the job over or ended it. */
export function claimedBy(job: Job, worker: string, attempt: number): boolean {
  return (
    job.status === JOB_STATUS.inProgress &&
    job.stage === 'transcoding' &&
    job.transcode_running === true &&
    job.transcode_worker_id === worker &&
    job.attempts === attempt
  );
}

function workerAlive(s: JobDeps, job: Job): boolean {
  if (job.status !== JOB_STATUS.inProgress || job.stage !== 'transcoding' || !job.transcode_running)
    return false;
  const worker = job.transcode_worker_id;
  if (!worker) return false;
  if (worker === s.identity.address) return running.has(job.id);
  return s.membership.get(worker)?.healthy === true;
}
