import { StorageError } from '../errors';
import { readTempObject } from '../nats/temp-objects';
import type { JobDeps } from './deps';
import { longTermKey } from './keys';
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
  if (!job || job.results.length === 0 || job.status === JOB_STATUS.error) return 'nothing-to-store';
  const me = s.identity.address;
  const shard = job.results[0].shard;
  // A done job can still gain a result (generate_preview, issue 16): done and fully held is done.
  if (job.status === JOB_STATUS.done && isFullyHeld(job, s.membership.ring().owners(shard))) return 'done';
  if (s.membership.ring().owners(shard).includes(me)) {
    for (const result of job.results) await storeOne(s, result, signal);
    job = await s.jobs.update(id, (j) => recordHolder(j, me, s.membership.ring().owners(shard)));
  }
  if (job.status === JOB_STATUS.done) return 'done';
  const owners = s.membership.ring().owners(shard);
  const held = owners.filter((o) => job.results.every((r) => r.nodes.includes(o))).length;
  throw new StorageError(
    'NOT_READY',
    `job ${id}: ${held} of ${owners.length} owners hold its results; checking again`,
  );
}

async function storeOne(s: JobDeps, result: JobResult, signal: AbortSignal): Promise<void> {
  const key = longTermKey(s.config.namespace, s.config.shardLength, result.name);
  const existing = await s.blob.head(key);
  if (existing && existing.size === result.size && existing.sha256 === result.sha256) return;
  const source = await readTempObject(s.nats, result.bucket, result.name, result.sha256);
  if (!source) throw new StorageError('FILE_NOT_FOUND', `${result.name} is not in ${result.bucket} any more`);
  // put() verifies size and sha256 and leaves nothing behind on a mismatch.
  await s.blob.put(key, source.body, {
    contentType: result.content_type,
    sha256: result.sha256,
    size: result.size,
    signal,
  });
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
