import { mapLimit } from '../blob/concurrency';
import { describeError } from '../errors';
import type { CatalogEntry } from '../repair/catalog';
import type { RepairContext } from '../repair/context';
import { peerOf } from '../repair/peer-client';
import { confirmedOnAllOwners } from '../repair/plan';
import type { DrainStatus } from './types';

type CheckResult = Omit<DrainStatus, 'draining' | 'since'>;

/**
 * Is this draining node safe to remove (docs/placement.md §Drain)? Only when its own ring no
 * longer has it, every healthy member's heartbeat reports the same ring (so the owners asked
 * are everyone's owners), and for every file it holds a fresh, store-verified listing from
 * each of the shard's R current owners shows the same size and sha256 — the check trim makes
 * before a delete (DESIGN §10), made for every file, deleting nothing. Run by the repair pass
 * of a draining node instead of its trim.
 */
export async function checkDrain(ctx: RepairContext, signal: AbortSignal): Promise<CheckResult> {
  const me = ctx.identity.address;
  const ring = ctx.membership.ring();
  const ringAt = ctx.membership.ringChangedAt();
  const r = ctx.config.replicationFactor;
  const shards = ctx.catalog.heldShards();
  const files = shards.reduce((n, shard) => n + ctx.catalog.list(shard).length, 0);
  const result = (confirmed: number, blocked: string | null): CheckResult => ({
    files,
    confirmed,
    safeToRemove: blocked === null && confirmed === files,
    checkedAt: new Date().toISOString(),
    blocked:
      blocked ?? (confirmed === files ? null : `${files - confirmed} files not yet on ${r} other owners`),
  });
  if (ring.has(me)) return result(0, 'this node is still in its own ring');
  const fingerprint = ring.fingerprint();
  const disagreeing = ctx.membership
    .healthy()
    .filter((m) => m.nodeId !== me && m.ringFingerprint !== fingerprint);
  if (disagreeing.length > 0) return result(0, `${disagreeing.length} healthy members report another ring`);
  if (shards.some((shard) => ring.owners(shard).length < r)) return result(0, `fewer than ${r} owners`);

  const byOwner = new Map<string, string[]>();
  for (const shard of shards)
    for (const o of ring.owners(shard)) byOwner.set(o, [...(byOwner.get(o) ?? []), shard]);
  // owner → shard → name → entry, from listings fetched now and verified against each owner's store.
  const fresh = new Map<string, Map<string, Map<string, CatalogEntry>>>();
  let blocked: string | null = null;
  await mapLimit([...byOwner], 4, async ([owner, owned]) => {
    const member = ctx.membership.get(owner);
    if (!member?.healthy) {
      blocked = `owner ${owner} is not healthy`;
      return;
    }
    try {
      const listings = await ctx.peers.listings(peerOf(member), owned, signal, true);
      const byShard = new Map<string, Map<string, CatalogEntry>>();
      for (const [shard, entries] of listings) byShard.set(shard, new Map(entries.map((e) => [e.name, e])));
      fresh.set(owner, byShard);
    } catch (err) {
      blocked = `owner ${owner} did not answer: ${describeError(err)}`;
    }
  });
  if (ctx.membership.ringChangedAt() !== ringAt) return result(0, 'the ring changed during the check');
  let confirmed = 0;
  for (const shard of shards) {
    const owners = ring.owners(shard);
    const perOwner = new Map(owners.map((o) => [o, fresh.get(o)?.get(shard) ?? null]));
    for (const mine of ctx.catalog.list(shard))
      if (confirmedOnAllOwners(mine, owners, perOwner, r)) confirmed++;
  }
  return result(confirmed, blocked);
}
