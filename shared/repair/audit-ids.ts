import { mapLimit } from '../blob/concurrency';
import type { RepairContext } from './context';

/** Owned shards whose older jobs one audit reads (by the shard index), continuing each time. */
export const AUDIT_SHARDS_PER_PASS = 256;

/** Where the rotation over owned shards stands, per node (a repairer's context). */
const cursors = new WeakMap<RepairContext, number>();

/**
 * The jobs one audit reads (issue 15: no walk of every job ever made): the unfinished jobs and
 * those of the listing window — where storers give up and files go missing — and the jobs of
 * the next AUDIT_SHARDS_PER_PASS owned shards by the shard index, so every older job is audited
 * again within (owned shards ÷ 256) audits. Only ids in shards this node owns: a job's shard
 * is the end of its id, so nothing else is read. Without the shard index, every id.
 */
export async function auditIds(ctx: RepairContext): Promise<string[]> {
  if (!ctx.jobs.indexed()) return ctx.jobs.ids();
  const me = ctx.identity.address;
  const ring = ctx.membership.ring();
  const length = ctx.config.shardLength;
  const owned = ring.shardsOf(me);
  const fresh = [...(await ctx.jobs.openIds()), ...(await ctx.jobs.recentIds())].filter((id) =>
    ring.owners(id.slice(-length)).includes(me),
  );
  const start = owned.length > 0 ? (cursors.get(ctx) ?? 0) % owned.length : 0;
  const slice = owned.slice(start, start + AUDIT_SHARDS_PER_PASS);
  cursors.set(ctx, start + slice.length);
  const older = await mapLimit(slice, 8, (shard) => ctx.jobs.shardIds(shard));
  return [...new Set([...fresh, ...older.flat()])];
}
