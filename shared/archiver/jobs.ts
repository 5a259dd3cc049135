import path from 'node:path';
import { mapLimit } from '../blob/concurrency';
import { describeError } from '../errors';
import { JobIndex } from '../jobs/job-index';
import { JobStore } from '../jobs/job-store';
import type { Job } from '../jobs/types';
import { natsAuthFromEnv } from '../config';
import { connectNats, DEFAULT_NATS_TIMINGS, type Nats } from '../nats/connection';
import { BUCKETS } from '../nats/names';
import { parseFileName } from '../placement/mod';
import { ArchiverError } from './errors';

/** The job records of a snapshot, stored as one object in the archive. */
export const JOBS_FORMAT = 'audius-storage-jobs';

export interface JobsExport {
  format: typeof JOBS_FORMAT;
  jobs: Job[];
}

export async function connectJobs(servers: string[]): Promise<{ jobs: JobStore; close(): Promise<void> }> {
  let nats: Nats;
  try {
    nats = await connectNats(servers, 'archiver', 1, DEFAULT_NATS_TIMINGS, natsAuthFromEnv());
  } catch (err) {
    throw new ArchiverError(
      'unreachable',
      `NATS ${servers.join(',')}: ${describeError(err)} (job records need NATS; pass --no-jobs to go without)`,
      { cause: err },
    );
  }
  try {
    const kv = await nats.kvm.open(BUCKETS.jobs);
    return { jobs: new JobStore(kv, await jobIndex(nats)), close: () => nats.nc.close() };
  } catch (err) {
    await nats.nc.close();
    throw new ArchiverError('unreachable', `NATS: cannot open KV ${BUCKETS.jobs}: ${describeError(err)}`, {
      cause: err,
    });
  }
}

/**
 * The listing indexes beside KV `jobs`, so re-imported records are listed like any other; absent
 * (a cluster whose nodes never started) they are left alone — the nodes create them.
 */
async function jobIndex(nats: Nats): Promise<JobIndex | undefined> {
  try {
    const open = await nats.kvm.open(BUCKETS.jobsOpen);
    const recent = await nats.kvm.open(BUCKETS.jobsRecent);
    await Promise.all([open.status(), recent.status()]);
    return new JobIndex(open, recent);
  } catch {
    return undefined;
  }
}

/** The records of the jobs whose results are among `keys` (by id, in id order). */
export async function exportJobs(jobs: JobStore, keys: string[]): Promise<JobsExport> {
  const ids = [
    ...new Set(keys.map((k) => parseFileName(path.posix.basename(k))?.id).filter((id): id is string => !!id)),
  ].sort();
  const found = await mapLimit(ids, 32, (id) => jobs.get(id));
  return { format: JOBS_FORMAT, jobs: found.filter((j): j is Job => j !== null) };
}

export function parseJobsExport(text: string): JobsExport {
  try {
    const value = JSON.parse(text) as JobsExport;
    if (value.format === JOBS_FORMAT && Array.isArray(value.jobs)) return value;
  } catch {
    // reported below
  }
  throw new ArchiverError('badArchive', 'the job records of this snapshot are not readable');
}

/** Creates the records that are absent; a record present in KV is newer than ours and stays. */
export async function importJobs(
  jobs: JobStore,
  exported: JobsExport,
): Promise<{ imported: number; present: number }> {
  let imported = 0;
  let present = 0;
  await mapLimit(exported.jobs, 16, async (job) => {
    if (await jobs.get(job.id)) {
      present++;
      return;
    }
    try {
      await jobs.create(job);
      imported++;
    } catch (err) {
      // Created meanwhile by someone else: theirs is as good as ours.
      if (!/wrong last sequence|exists/i.test(describeError(err))) throw err;
      present++;
    }
  });
  return { imported, present };
}
