import { mapLimit } from '../blob/concurrency';
import { describeError } from '../errors';
import { openTempStore } from '../nats/temp-objects';
import { tempNameOf } from '../jobs/temp-names';
import { JOB_STATUS, type Job, type JobResult } from '../jobs/types';
import type { RepairContext } from './context';
import { auditIds } from './audit-ids';
import { peerOf } from './peer-client';
import { recordCopies } from './job-records';
import { pullFile, type Source } from './pull';
import { repairMetrics } from './stats';

export interface AuditReport {
  jobs: number;
  pulled: number;
  /** Results no reachable node and no temp store holds, of shards this node is first owner of. */
  lost: number;
  /** Unfinished jobs ended `error` because their results are gone. */
  failed: number;
}

/**
 * The job records' half of "what should exist" (issue 10): walks the jobs of the shards this
 * node owns that ./audit-ids.ts picks (open and recent ones each time, older ones in turn). A result this node lacks is pulled from its recorded holders, the
 * other owners, or the temp store; recording the copy finishes a job its storers gave up on.
 * A result nobody has is *lost*: counted, logged, and — for an unfinished job — the job ends
 * `error` with the reason. Only the shard's first owner counts and reports, so every lost
 * file is reported once. Costs one KV read per job picked: it runs at most every
 * AUDIUS_REPAIR_AUDIT_SECONDS.
 */
export async function auditJobs(ctx: RepairContext, signal: AbortSignal): Promise<AuditReport> {
  const report: AuditReport = { jobs: 0, pulled: 0, lost: 0, failed: 0 };
  const ids = await auditIds(ctx);
  await mapLimit(ids, 8, async (id) => {
    if (signal.aborted) return;
    const job = await ctx.jobs.get(id).catch(() => null);
    if (!job || job.status === JOB_STATUS.error || job.results.length === 0) return;
    const owners = ctx.membership.ring().owners(job.results[0].shard);
    if (!owners.includes(ctx.identity.address)) return;
    report.jobs += 1;
    await auditJob(ctx, job, owners, report, signal);
  });
  repairMetrics.lost.set(report.lost);
  ctx.stats.lost = report.lost;
  return report;
}

async function auditJob(
  ctx: RepairContext,
  job: Job,
  owners: string[],
  report: AuditReport,
  signal: AbortSignal,
): Promise<void> {
  const missing: JobResult[] = [];
  for (const r of job.results) {
    if (ctx.catalog.get(r.shard, r.name)?.sha256 === r.sha256) continue;
    const entry = { name: r.name, size: r.size, sha256: r.sha256 };
    if (await pullFile(ctx, entry, sourcesOf(ctx, r, owners), signal)) report.pulled += 1;
    else missing.push(r);
  }
  const held = missing.length === 0;
  if (
    held &&
    (job.status !== JOB_STATUS.done || !job.results.every((r) => r.nodes.includes(ctx.identity.address)))
  )
    await recordCopies(
      ctx,
      job.results.map((r) => ({ entry: r })),
      'held',
      signal,
    );
  if (held || owners[0] !== ctx.identity.address || signal.aborted) return;
  // A failed pull may be a hiccup (a peer timing out, NATS electing a leader): lost means
  // gone from the temp store and listed by no healthy peer, each checked just now.
  const gone: JobResult[] = [];
  for (const r of missing) if (await isGone(ctx, r, signal)) gone.push(r);
  if (gone.length === 0 || signal.aborted) return;
  report.lost += gone.length;
  const names = gone.map((r) => r.name).join(', ');
  ctx.log.error(
    { job: job.id, files: names },
    'repair: LOST — no reachable node and no temp store holds these files',
  );
  if (job.status !== JOB_STATUS.done)
    await failJob(ctx, job.id, `results unrecoverable: ${names} are held by no node`, report);
}

async function isGone(ctx: RepairContext, r: JobResult, signal: AbortSignal): Promise<boolean> {
  try {
    const temp = await (await openTempStore(ctx.nats, r.bucket)).info(tempNameOf(r));
    if (temp && !temp.deleted) return false;
  } catch {
    return false; // cannot tell
  }
  for (const m of ctx.membership.healthy()) {
    if (m.nodeId === ctx.identity.address) continue;
    try {
      const files = await ctx.peers.listing(peerOf(m), r.shard, signal);
      if (files.some((f) => f.name === r.name)) return false;
    } catch {
      return false; // cannot tell
    }
  }
  return true;
}

function sourcesOf(ctx: RepairContext, r: JobResult, owners: string[]): Source[] {
  const me = ctx.identity.address;
  const ids = [...new Set([...r.nodes, ...owners])].filter((id) => id !== me);
  const peers: Source[] = ids.flatMap((id) => {
    const m = ctx.membership.get(id);
    return m?.healthy ? [{ peer: peerOf(m) }] : [];
  });
  return [...peers, { tempBucket: r.bucket, tempName: tempNameOf(r) }];
}

async function failJob(ctx: RepairContext, id: string, reason: string, report: AuditReport): Promise<void> {
  try {
    await ctx.jobs.update(id, (j) =>
      j.status === JOB_STATUS.done || j.status === JOB_STATUS.error
        ? null
        : { ...j, status: JOB_STATUS.error, error: reason, finished_at: new Date().toISOString() },
    );
    report.failed += 1;
  } catch (err) {
    ctx.log.warn({ job: id, err: describeError(err) }, 'repair: could not end the job');
  }
}
