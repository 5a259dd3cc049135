import { setTimeout as sleep } from 'node:timers/promises';
import type { JobDeps } from './deps';
import { JOB_STATUS, type Job } from './types';

/** How often a redelivery looks again at a job whose worker is alive. */
const RECHECK_MS = 1000;

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
 * that is a healthy member and has not ended its attempt — and returns once the job is
 * finished, past transcoding, or its worker is gone (then the caller may claim it). The
 * consumer shim keeps the message in progress meanwhile (`working()`), and the step's timeout
 * bounds the wait, as the worker's own timeout bounds its run.
 */
export async function waitForLiveWorker(s: JobDeps, id: string, signal: AbortSignal): Promise<void> {
  let logged = false;
  for (;;) {
    const job = await s.jobs.get(id);
    if (!job || !workerAlive(s, job)) return;
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

function workerAlive(s: JobDeps, job: Job): boolean {
  if (job.status !== JOB_STATUS.inProgress || job.stage !== 'transcoding' || !job.transcode_running)
    return false;
  const worker = job.transcode_worker_id;
  if (!worker) return false;
  if (worker === s.identity.address) return running.has(job.id);
  return s.membership.get(worker)?.healthy === true;
}
