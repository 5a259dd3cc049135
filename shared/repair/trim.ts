import { mapLimit } from '../blob/concurrency';
import { describeError } from '../errors';
import { longTermKey } from '../jobs/keys';
import type { CatalogEntry } from './catalog';
import type { RepairContext } from './context';
import { peerOf } from './peer-client';
import { recordCopies } from './job-records';
import { confirmedOnAllOwners, deletionBlockedBecause } from './plan';
import { repairMetrics } from './stats';

/**
 * Rebalance's second half (DESIGN §10 "Safety"): delete copies of shards this node no longer
 * owns — only when it is safe to delete at all (plan.ts deletionBlockedBecause), and only the
 * files a fresh listing from every one of the R current owners shows with the same size and
 * sha256. The checks are repeated before each shard: NATS or the ring can change mid-pass.
 */
export async function trimShards(
  ctx: RepairContext,
  shards: string[],
  signal: AbortSignal,
): Promise<{ deleted: number; blocked?: string }> {
  if (shards.length === 0) return { deleted: 0 };
  const ringAt = ctx.membership.ringChangedAt();
  let deleted = 0;
  let blocked: string | undefined;
  // A few shards at a time: after a join, a node trims thousands of shards, each R listings.
  await mapLimit(shards, 4, async (shard) => {
    blocked ??= safetyBlock(ctx, ringAt) ?? (signal.aborted ? 'aborted' : undefined);
    if (blocked) return;
    deleted += await trimShard(ctx, shard, ringAt, signal);
  });
  return blocked ? { deleted, blocked } : { deleted };
}

async function trimShard(
  ctx: RepairContext,
  shard: string,
  ringAt: number,
  signal: AbortSignal,
): Promise<number> {
  const owners = ctx.membership.ring().owners(shard);
  const fresh = await freshListings(ctx, shard, owners, signal);
  const gone: CatalogEntry[] = [];
  for (const mine of ctx.catalog.list(shard)) {
    if (!confirmedOnAllOwners(mine, owners, fresh, ctx.config.replicationFactor)) continue;
    if (safetyBlock(ctx, ringAt)) break;
    try {
      await ctx.blob.delete(longTermKey(ctx.config.namespace, ctx.config.shardLength, mine.name));
    } catch (err) {
      ctx.log.warn({ file: mine.name, err: describeError(err) }, 'repair: could not delete a trimmed copy');
      continue;
    }
    repairMetrics.deletes.inc();
    ctx.stats.deleted += 1;
    gone.push(mine);
  }
  await recordCopies(
    ctx,
    gone.map((entry) => ({ entry })),
    'dropped',
    signal,
  );
  return gone.length;
}

function safetyBlock(ctx: RepairContext, ringAt: number): string | null {
  if (ctx.membership.ringChangedAt() !== ringAt) return 'the ring changed during the pass';
  return deletionBlockedBecause({
    healthyMembers: ctx.membership.healthy().length,
    replicationFactor: ctx.config.replicationFactor,
    natsConnected: ctx.nats.state() === 'connected',
    ringAgeMs: Date.now() - ringAt,
    graceMs: ctx.config.repairGraceSeconds * 1000,
  });
}

async function freshListings(
  ctx: RepairContext,
  shard: string,
  owners: string[],
  signal: AbortSignal,
): Promise<Map<string, Map<string, CatalogEntry> | null>> {
  const out = new Map<string, Map<string, CatalogEntry> | null>();
  for (const owner of owners) {
    const member = ctx.membership.get(owner);
    if (!member?.healthy || owner === ctx.identity.address) {
      out.set(owner, null);
      continue;
    }
    try {
      const files = await ctx.peers.listing(peerOf(member), shard, signal, true);
      out.set(owner, new Map(files.map((f) => [f.name, f])));
    } catch (err) {
      ctx.log.warn(
        { peer: member.host, shard, err: describeError(err) },
        'repair: owner did not confirm; keeping copies',
      );
      out.set(owner, null);
    }
  }
  return out;
}
