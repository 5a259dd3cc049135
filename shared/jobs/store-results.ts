import { StorageError } from '../errors';
import { readTempObject } from '../nats/temp-objects';
import type { JobDeps } from './deps';
import { longTermKey } from './keys';
import { resultsGone } from './settle-stalled';
import { tempNameOf } from './temp-names';
import { JOB_STATUS, type Job, type JobResult } from './types';

export type StoreOutcome = 'done' | 'nothing-to-store';

/**
 * The storer (DESIGN §4.3): when this node owns the job's shard, copy each result from the
 * temp store into the long-term blob store, digest verified, and record this node as a
 * holder. The job is `done` once every result is on every owner of its shard (as the ring of
 * healthy nodes stands when the last owner records its copy).
 *
 * Until the job is done every node keeps its announcement (a retryable failure, so the
 * consumer shim redelivers it with backoff): when an owner dies before storing, the ring
 * changes, and the node that takes its place learns of the job on its next attempt.
 */
export async function storeResults(s: JobDeps, id: string, signal: AbortSignal): Promise<StoreOutcome> {
  let job = await s.jobs.get(id);
  if (job?.status === JOB_STATUS.error) return 'nothing-to-store';
  // A job is announced once its record names its results, so a record missing or without
  // results is a read the write has not reached yet — not a job to drop: acknowledging it
  // lost the job's storing for good (issue 15's chaos suite, after a NATS server restart).
  // Checked again with the shim's backoff; a job truly gone ends with its last attempt.
  if (!job || job.results.length === 0)
    throw new StorageError(
      'NOT_READY',
      `job ${id}: ${job ? 'its record names no results' : 'no record'} yet; checking again`,
    );
  const me = s.identity.address;
  const shard = job.results[0].shard;
  // A done job can still gain a result (generate_preview, issue 16): done and fully held is done.
  if (job.status === JOB_STATUS.done && isFullyHeld(job, s.membership.ring().owners(shard))) return 'done';
  if (s.membership.ring().owners(shard).includes(me)) {
    const missing: JobResult[] = [];
    for (const result of job.results) if (!(await storeOne(s, result, signal))) missing.push(result);
    if (missing.length > 0) return settleMissing(s, id, missing);
    job = await s.jobs.update(id, (j) => recordHolder(j, me, s.membership.ring().owners(shard)));
  }
  if (job.status === JOB_STATUS.done) return 'done';
  const owners = s.membership.ring().owners(shard);
  const held = owners.filter((o) => job.results.every((r) => r.nodes.includes(o))).length;
  throw new StorageError(
    'NOT_READY',
    `job ${id}: ${held} of ${owners.length} owners hold its results; checking again`,
    { retryInSeconds: WAITING_RECHECK_SECONDS },
  );
}

/**
 * How often a storer with nothing to do for a job (not an owner, or its copy recorded) looks
 * again until the job is done: only a change of the ring gives it work. Every node's storer
 * sees every job, and redeliveries go before new announcements, so checking after 1, 2 and
 * 5 s made the storers fall up to a minute behind new jobs in the chaos suite (issue 15).
 */
const WAITING_RECHECK_SECONDS = 10;

/**
 * Results this owner cannot copy because they left the temp store (expired, or removed). One
 * that another node holds is copied from there by repair, so the storer keeps checking; one
 * that no node holds can never be stored: the job ends `error` now instead of after every
 * attempt (issue 15: a storer that gave up used to leave the job `in_progress` for good).
 */
async function settleMissing(s: JobDeps, id: string, missing: JobResult[]): Promise<StoreOutcome> {
  const names = new Set(missing.map((r) => r.name));
  let ended = false;
  const job = await s.jobs.update(id, (j) => {
    const orphans = j.results.filter((r) => names.has(r.name) && r.nodes.length === 0);
    ended = orphans.length > 0 && j.status === JOB_STATUS.inProgress;
    if (!ended) return null;
    const reason = resultsGone(orphans.map((r) => r.name));
    return { ...j, status: JOB_STATUS.error, error: reason, finished_at: new Date().toISOString() };
  });
  if (ended) {
    s.log.error({ job: id, error: job.error }, 'job results lost before they were stored');
    return 'nothing-to-store';
  }
  if (job.status === JOB_STATUS.done || job.status === JOB_STATUS.error) return 'nothing-to-store';
  throw new StorageError(
    'NOT_READY',
    `job ${id}: ${[...names].join(', ')} left the temp store; another node holds them, repair copies them here`,
  );
}

/** Copies one result into the long-term store; false when it is no longer in the temp store. */
async function storeOne(s: JobDeps, result: JobResult, signal: AbortSignal): Promise<boolean> {
  const key = longTermKey(s.config.namespace, s.config.shardLength, result.name);
  const existing = await s.blob.head(key);
  if (existing && existing.size === result.size && existing.sha256 === result.sha256) return true;
  const source = await readTempObject(s.nats, result.bucket, tempNameOf(result), result.sha256);
  if (!source) return false;
  // put() verifies size and sha256 and leaves nothing behind on a mismatch.
  await s.blob.put(key, source.body, {
    contentType: result.content_type,
    sha256: result.sha256,
    size: result.size,
    signal,
  });
  return true;
}

function isFullyHeld(job: Job, owners: string[]): boolean {
  return job.results.every((r) => owners.every((o) => r.nodes.includes(o)));
}

/**
 * The job with `me` recorded as a holder of every result; `done` once every owner holds every
 * result. null when nothing changes (JobStore.update then writes nothing).
 */
export function recordHolder(job: Job, me: string, owners: string[]): Job | null {
  const results = job.results.map((r) =>
    r.nodes.includes(me) ? r : { ...r, nodes: [...r.nodes, me].sort() },
  );
  const complete = results.every((r) => owners.every((o) => r.nodes.includes(o)));
  const unchanged = results.every((r, i) => r === job.results[i]);
  if (unchanged && (!complete || job.status === JOB_STATUS.done)) return null;
  return complete && job.status !== JOB_STATUS.done
    ? { ...job, results, status: JOB_STATUS.done, finished_at: new Date().toISOString(), error: undefined }
    : { ...job, results };
}

/** The job without `me` among its results' holders (a trimmed copy); null when it was not there. */
export function forgetHolder(job: Job, me: string): Job | null {
  if (!job.results.some((r) => r.nodes.includes(me))) return null;
  return { ...job, results: job.results.map((r) => ({ ...r, nodes: r.nodes.filter((n) => n !== me) })) };
}
