import { mapLimit } from '../blob/concurrency';
import { describeError, isStorageError } from '../errors';
import { forgetHolder, recordHolder } from '../jobs/store-results';
import { parseFileName, shardOfId } from '../placement/mod';
import type { RepairContext } from './context';

/**
 * Keeps the job records' holder lists in step with repair: a pulled copy is recorded (which
 * also finishes a job stuck `in_progress` once every current owner holds every result), a
 * trimmed copy is forgotten. One compare-and-set per job, whatever the number of its files.
 */
export async function recordCopies(
  ctx: RepairContext,
  files: { entry: { name: string } }[],
  change: 'held' | 'dropped',
  signal: AbortSignal,
): Promise<void> {
  const ids = [
    ...new Set(files.map((f) => parseFileName(f.entry.name)?.id).filter((id): id is string => !!id)),
  ];
  const me = ctx.identity.address;
  await mapLimit(ids, 4, async (id) => {
    if (signal.aborted) return;
    const owners = ctx.membership.ring().owners(shardOfId(id, ctx.config.shardLength));
    try {
      await ctx.jobs.update(id, (job) => {
        if (change === 'dropped') return forgetHolder(job, me);
        // Record only when this node now holds every result of the job.
        const all = job.results.every((r) => ctx.catalog.get(r.shard, r.name)?.sha256 === r.sha256);
        return all ? recordHolder(job, me, owners) : null;
      });
    } catch (err) {
      if (isStorageError(err) && err.code === 'JOB_NOT_FOUND') return;
      ctx.log.warn({ job: id, err: describeError(err) }, 'repair: could not update the job record');
    }
  });
}
