import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describeError, isStorageError, StorageError } from '../errors';
import { SUBJECTS } from '../nats/names';
import { retryNats } from '../nats/retry';
import { deleteTempObject, putTempObject, readTempObject } from '../nats/temp-objects';
import { shardOfId } from '../placement/mod';
import type { JobDeps } from './deps';
import { tempResultName } from './temp-names';
import { claimedBy, heartbeatWhileRunning, runningHere, waitForLiveWorker } from './live-worker';
import { abandonAfterAbort } from './step-deadline';
import type { StepContext, StepEvent } from '../step';
import type { TranscodeOutput } from '../transcode/types';
import { JOB_STATUS, type Job, type JobResult, type Template } from './types';
import { cidIndex } from '../cid/cid-index';
import { originalOutput } from './original';
import { recordTranscode } from './transcode-stats';
import { makeWorkDir, workDirOwner } from '../workdirs/work-dirs';

/** What a template's transcode gets and gives back. */
export interface TranscodeInput {
  job: Job;
  sourcePath: string;
  workDir: string;
  signal: AbortSignal;
  onProgress: (fraction: number) => void;
}

export type TranscodeOutputs = (Omit<TranscodeOutput, 'variant' | 'contentType'> & {
  variant: string;
  contentType: string;
  durationSeconds?: number;
  width?: number;
  height?: number;
})[];

export type Transcode = (input: TranscodeInput) => Promise<{ probe: unknown; outputs: TranscodeOutputs }>;

/** Progress writes to KV at most this often (DESIGN §4.2: throttled). */
const PROGRESS_EVERY_MS = 1000;

/**
 * The shared body of every transcode step (DESIGN §4.2): take the job, transcode its source,
 * put the results in the temp store, and hand the job to the storers. A job that already
 * finished, or whose results are already in the temp store, is not transcoded again — so a
 * redelivery after a crash never runs a job to completion twice.
 */
export async function runTranscodeStep(
  s: JobDeps,
  template: Template,
  event: StepEvent<{ id?: unknown }>,
  context: StepContext,
  transcode: Transcode,
): Promise<Job> {
  const id = String(event.data?.id ?? '');
  const found = await s.jobs.get(id);
  if (!found) throw new StorageError('JOB_NOT_FOUND', `No job ${id}`, { permanent: true });
  if (found.template !== template)
    throw new StorageError('BAD_TEMPLATE', `Job ${id} is ${found.template}, not ${template}`);
  // A redelivery while the job's worker is alive (its ackWait passed: a stalled event loop, a
  // slow NATS) waits for that worker instead of claiming the job under it (issue 15).
  await waitForLiveWorker(s, id, context.signal);
  if (event.attempt > event.maxAttempts) return giveUp(s, id, event);

  // Claimed inside the compare-and-set: a finished job, or one whose results are already in
  // the temp store, is never transcoded again (a duplicate delivery changes nothing).
  let claimed = false;
  const job = await s.jobs.update(id, (j) => {
    claimed = !isPastTranscoding(j);
    return claimed
      ? {
          ...j,
          status: JOB_STATUS.inProgress,
          stage: 'transcoding',
          started_at: new Date().toISOString(),
          transcode_worker_id: s.identity.address,
          transcode_running: true,
          attempts: event.attempt,
          transcode_progress: 0,
        }
      : null;
  });
  if (!claimed)
    return job.stage === 'storing' && job.status === JOB_STATUS.inProgress ? announceResults(s, job) : job;
  return runningHere(id, () => transcodeClaimed(s, job, event, context, transcode));
}

async function transcodeClaimed(
  s: JobDeps,
  job: Job,
  event: StepEvent,
  context: StepContext,
  transcode: Transcode,
): Promise<Job> {
  const id = job.id;
  const claimedAt = Date.now();
  const workDir = makeWorkDir('job', workDirOwner(s.identity.address), id);
  const progress = throttledProgress(s, id, context.signal);
  const stopHeartbeat = heartbeatWhileRunning(s, id, event.attempt);
  const attempt = async (): Promise<Job> => {
    const sourcePath = path.join(workDir, 'source');
    const source = await readTempObject(s.nats, job.source_info.bucket, id, job.source_sha256);
    if (!source)
      throw new StorageError('TRANSCODE_FAILED', 'The upload is no longer in the temp store (expired?)', {
        permanent: true,
      });
    await pipeline(source.body, fs.createWriteStream(sourcePath), { signal: context.signal });
    const result = await transcode({
      job,
      sourcePath,
      workDir,
      signal: context.signal,
      onProgress: progress.report,
    });
    await progress.settle();
    recordTranscode(job.template, (Date.now() - claimedAt) / 1000);
    const outputs = s.config.keepOriginals
      ? [...result.outputs, await originalOutput(job, sourcePath)]
      : result.outputs;
    const results = await putResults(s, job, outputs, event.attempt);
    // Another delivery that got here first keeps its record (and the storers' holders on it);
    // this attempt's results, under their own names, are then dropped.
    let won = false;
    const stored = await s.jobs.update(id, (j) => {
      won = !isPastTranscoding(j);
      return won
        ? {
            ...j,
            probe: result.probe,
            results,
            stage: 'storing',
            transcode_progress: 1,
            transcode_running: false,
          }
        : null;
    });
    if (!won) {
      await dropResults(s, results);
      return stored;
    }
    // Indexed before any copy exists: a CID read finds the file and waits for its storers.
    await (await cidIndex(s.nats)).add(id, results);
    s.counters.jobsDone += 1;
    return stored.status === JOB_STATUS.inProgress ? announceResults(s, stored) : stored;
  };
  try {
    return await abandonAfterAbort(context.signal, attempt());
  } catch (err) {
    // After an abort the writes queued may be what hangs: the failure is recorded without them.
    if (!context.signal.aborted) await progress.settle();
    if ((await recordFailure(s, id, err, event, context)) === 'superseded')
      // Not permanent whatever it was: ending this delivery for good would end the message the
      // attempt now running depends on (its own failure is retried through it).
      throw new StorageError(
        'TRANSCODE_FAILED',
        `attempt ${event.attempt} was taken over by a later one: ${describeError(err)}`,
        { cause: err, permanent: false },
      );
    throw err;
  } finally {
    stopHeartbeat();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

function isPastTranscoding(job: Job): boolean {
  return job.status === JOB_STATUS.done || job.status === JOB_STATUS.error || job.stage === 'storing';
}

/**
 * A delivery past the last attempt means the last attempt was lost — its worker died or was
 * stopped mid-job — so the job ends in `error` instead of waiting forever.
 */
async function giveUp(s: JobDeps, id: string, event: StepEvent): Promise<Job> {
  const reason = `gave up after ${event.maxAttempts} attempts: the node running the last one stopped before it finished`;
  const job = await s.jobs.update(id, (j) =>
    isPastTranscoding(j)
      ? null
      : {
          ...j,
          status: JOB_STATUS.error,
          error: reason,
          finished_at: new Date().toISOString(),
          transcode_running: false,
        },
  );
  // The last attempt recorded its results but stopped before telling the storers.
  return job.stage === 'storing' && job.status === JOB_STATUS.inProgress ? announceResults(s, job) : job;
}

/**
 * Results go to the temp store (the storers copy them from there), digest checked, each under
 * this attempt's own name (./temp-names.ts).
 */
async function putResults(
  s: JobDeps,
  job: Job,
  outputs: TranscodeOutputs,
  attempt: number,
): Promise<JobResult[]> {
  const shard = shardOfId(job.id, s.config.shardLength);
  const results: JobResult[] = [];
  for (const out of outputs) {
    const tempName = tempResultName(out.fileName, attempt);
    const { sha256 } = await putTempObject(
      s.nats,
      job.source_info.bucket,
      { name: tempName, description: out.variant },
      fs.createReadStream(out.path),
    );
    if (sha256 !== out.sha256)
      throw new StorageError('INTERNAL', `${out.fileName} changed on its way to the temp store`);
    results.push({
      name: out.fileName,
      variant: out.variant,
      size: out.size,
      content_type: out.contentType,
      sha256: out.sha256,
      bucket: job.source_info.bucket,
      temp_name: tempName,
      shard,
      ...(out.durationSeconds !== undefined ? { duration: out.durationSeconds } : {}),
      ...(out.width !== undefined ? { width: out.width, height: out.height } : {}),
      nodes: [],
    });
  }
  return results;
}

/** A losing attempt's results: nobody will read them (the temp store's TTL is the fallback). */
async function dropResults(s: JobDeps, results: JobResult[]): Promise<void> {
  await Promise.all(
    results.map((r) =>
      deleteTempObject(s.nats, r.bucket, r.temp_name!).catch((err) =>
        s.log.warn({ name: r.temp_name, err: describeError(err) }, 'could not drop a losing attempt'),
      ),
    ),
  );
}

/** Tells every node's storer; the message id makes a repeat announcement a no-op. */
async function announceResults(s: JobDeps, job: Job): Promise<Job> {
  await retryNats(s.nats.retry, `announce job ${job.id}`, () =>
    s.nats.js.publish(SUBJECTS.result(job.template), JSON.stringify({ id: job.id }), {
      msgID: `${job.id}.results`,
    }),
  );
  return job;
}

/**
 * A permanent failure, or the last attempt, ends the job in `error` with the reason; an earlier
 * one is noted for the retry. Only our own claim is ours to end: `superseded` when a redelivery
 * took the job over meanwhile (our record went silent). A failure after our results were
 * recorded (the CID index, the announcement) leaves them be and tells the storers again.
 */
async function recordFailure(
  s: JobDeps,
  id: string,
  err: unknown,
  event: StepEvent,
  context: StepContext,
): Promise<'recorded' | 'superseded'> {
  if (context.signal.aborted && !isTimeout(context.signal)) return 'recorded'; // shutdown: another node retries
  const reason = describeError(err);
  const final = (isStorageError(err) && err.permanent) || event.attempt >= event.maxAttempts;
  const me = s.identity.address;
  let ours = false;
  const after = await s.jobs
    .update(id, (j) => {
      ours = claimedBy(j, me, event.attempt);
      if (!ours) return null;
      return final
        ? {
            ...j,
            status: JOB_STATUS.error,
            error: reason,
            finished_at: new Date().toISOString(),
            transcode_running: false,
          }
        : {
            ...j,
            error: `attempt ${event.attempt} of ${event.maxAttempts} failed: ${reason}; retrying`,
            transcode_running: false,
          };
    })
    .catch((e) => {
      s.log.error({ id, err: describeError(e) }, 'could not record the failure');
      return null;
    });
  if (!after || ours) return 'recorded';
  const storedByUs =
    after.stage === 'storing' && after.transcode_worker_id === me && after.attempts === event.attempt;
  if (!storedByUs) return 'superseded';
  if (after.status === JOB_STATUS.inProgress)
    await announceResults(s, after).catch((e) =>
      s.log.warn(
        { id, err: describeError(e) },
        'could not announce the results again; a redelivery or the sweeper ends the job',
      ),
    );
  return 'recorded';
}

function isTimeout(signal: AbortSignal): boolean {
  return (signal.reason as Error | undefined)?.name === 'TimeoutError';
}

/**
 * Progress updates for the job record, at most one write per second, in order; none once the
 * attempt's signal aborted (an attempt given up must not write into the next one's record).
 */
function throttledProgress(s: JobDeps, id: string, signal: AbortSignal) {
  let last = 0;
  let chain: Promise<unknown> = Promise.resolve();
  return {
    report(fraction: number) {
      const now = Date.now();
      if (signal.aborted || now - last < PROGRESS_EVERY_MS || fraction >= 1) return;
      last = now;
      const value = Math.round(fraction * 1000) / 1000;
      chain = chain.then(() =>
        s.jobs
          .update(id, (j) =>
            j.status === JOB_STATUS.inProgress ? { ...j, transcode_progress: value } : null,
          )
          .catch(() => undefined),
      );
    },
    settle: () => chain,
  };
}
