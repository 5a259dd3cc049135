import { describeError } from '../errors';
import { mapLimit } from '../blob/concurrency';
import { shardOfFileName } from '../placement/mod';
import type { CatalogEntry } from './catalog';
import type { RepairContext } from './context';
import { peerOf } from './peer-client';
import { pullFile, type Source } from './pull';
import { repairMetrics } from './stats';

/** Where quarantined copies are kept, beside the shards: evidence for the operator, never served. */
export const QUARANTINE_PREFIX = 'quarantine/';

/**
 * A copy whose bytes do not match its recorded sha256 (issue 10 "Scrub"): at once it reads as
 * absent (so reads redirect to a good holder) and leaves the catalog; its bytes move under
 * `quarantine/` (never deleted outright: it may be the last copy anyone has); then a verified
 * copy is pulled from a peer that lists the expected digest.
 */
export async function quarantineCopy(
  ctx: RepairContext,
  key: string,
  expected: CatalogEntry,
  why: string,
  signal: AbortSignal,
): Promise<boolean> {
  // Synchronous check-and-mark: a second report of the same copy stops here.
  if (!ctx.blob.quarantine(key)) return false;
  repairMetrics.quarantines.inc();
  ctx.stats.quarantined += 1;
  ctx.log.error({ key, expectedSha256: expected.sha256, why }, 'repair: corrupt copy quarantined');
  await ctx.blob.exclusively(key, () => moveAside(ctx, key));
  const healed = await heal(ctx, expected, signal);
  ctx.log.info(
    { key, healed },
    healed
      ? 'repair: quarantined copy healed from a replica'
      : 'repair: no verified replica yet; the next pass retries',
  );
  return healed;
}

async function moveAside(ctx: RepairContext, key: string): Promise<void> {
  try {
    const bad = await ctx.blob.inner.get(key);
    if (!bad) return;
    await ctx.blob.inner.put(`${QUARANTINE_PREFIX}${key}.${Date.now()}`, bad.body);
    // A verified put that started before the quarantine may have landed meanwhile: a newer
    // object under the key is that copy, not the bad one (the digest on record cannot tell:
    // rot that kept the file's metadata still claims the good digest).
    const now = await ctx.blob.inner.head(key);
    if (now && now.modified?.getTime() !== bad.info.modified?.getTime()) return;
    await ctx.blob.inner.delete(key);
  } catch (err) {
    ctx.log.warn({ key, err: describeError(err) }, 'repair: could not move a quarantined copy aside');
  }
}

/** Pulls `expected` from the first healthy peer whose listing shows the same size and sha256. */
export async function heal(
  ctx: RepairContext,
  expected: CatalogEntry,
  signal: AbortSignal,
): Promise<boolean> {
  const shard = shardOfFileName(expected.name, ctx.config.shardLength);
  const owners = ctx.membership.ring().owners(shard);
  const peers = ctx.membership
    .healthy()
    .filter((m) => m.nodeId !== ctx.identity.address)
    .sort((a, b) => rank(owners, a.nodeId) - rank(owners, b.nodeId));
  const listed = await mapLimit(peers, 4, async (m) => {
    try {
      const files = await ctx.peers.listing(peerOf(m), shard, signal);
      return files.some(
        (f) => f.name === expected.name && f.sha256 === expected.sha256 && f.size === expected.size,
      );
    } catch {
      return false;
    }
  });
  const sources: Source[] = peers.filter((_, i) => listed[i]).map((m) => ({ peer: peerOf(m) }));
  return sources.length > 0 && pullFile(ctx, expected, sources, signal);
}

function rank(owners: string[], id: string): number {
  const i = owners.indexOf(id);
  return i < 0 ? owners.length : i;
}
