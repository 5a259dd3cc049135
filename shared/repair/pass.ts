import { mapLimit } from '../blob/concurrency';
import { describeError } from '../errors';
import type { Ring } from '../placement/mod';
import type { CatalogEntry } from './catalog';
import type { RepairContext } from './context';
import { recordCopies } from './job-records';
import { peerOf, type Peer } from './peer-client';
import { missingFiles, underReplicatedCount, type Want } from './plan';
import { pullFile } from './pull';
import { trimShards } from './trim';
import { checkDrain } from '../drain/check';

export interface PassReport {
  /** Asked every healthy peer (not only co-owners). */
  full: boolean;
  peersAsked: number;
  peersAnswered: number;
  /** Shards some node holds that this node compared. */
  shards: number;
  /** Listings fetched: one per shard and distinct differing summary (peers that agree share one). */
  listed: number;
  pulled: number;
  pullFailed: number;
  deleted: number;
  underReplicated: number;
  /** Requests to peers this pass made. */
  requests: number;
  seconds: number;
  /** Why nothing was trimmed, when there was something to trim. */
  trimBlocked?: string;
}

type Summaries = Map<string, Record<string, [number, string]> | null>;

/**
 * One anti-entropy pass (DESIGN §4.5, §10): compare per-shard summaries with peers in one
 * request each, list only the (shard, peer) pairs that differ, pull what this node lacks of
 * the shards it owns, then trim the shards it no longer owns where that is safe.
 *
 * A `full` pass asks every healthy peer (after a ring change, ex-owners may hold files the
 * owners lack); a steady-state pass asks only the nodes that co-own a shard with this one,
 * so an idle pass costs at most 2 × (owned shards) requests and at most n − 1.
 */
export async function repairPass(ctx: RepairContext, signal: AbortSignal, full = true): Promise<PassReport> {
  const started = Date.now();
  const requestsBefore = ctx.peers.requests;
  await ctx.catalog.build(ctx.blob.inner);
  const me = ctx.identity.address;
  const ring = ctx.membership.ring();
  const coOwners = full ? null : coOwnersOf(ring, me);
  const peers: Peer[] = ctx.membership
    .healthy()
    .filter((m) => m.nodeId !== me && (!coOwners || coOwners.has(m.nodeId)))
    .map(peerOf);
  const summaries = await fetchSummaries(ctx, peers, signal);
  const shards = new Set(ctx.catalog.heldShards());
  for (const s of summaries.values()) for (const shard of Object.keys(s ?? {})) shards.add(shard);

  const owned = [...shards].filter((shard) => ring.owners(shard).includes(me));
  const toTrim = [...shards].filter(
    (shard) => !ring.owners(shard).includes(me) && ctx.catalog.summary(shard).count > 0,
  );
  const pairs = owned.flatMap((shard) =>
    agreeingGroups(differingPeers(ctx, shard, peers, summaries), shard, summaries).map((group) => ({
      shard,
      group,
    })),
  );
  const listings = await fetchListings(ctx, pairs, signal);

  const wants: Want[] = [];
  let underReplicated = 0;
  for (const shard of owned) {
    const owners = ring.owners(shard);
    const mine = new Map(ctx.catalog.list(shard).map((e) => [e.name, e]));
    const theirs = listings.get(shard) ?? new Map<string, CatalogEntry[]>();
    const lacking = missingFiles(shard, mine, theirs, owners);
    wants.push(...lacking);
    if (owners[0] === me) {
      const names = [...mine.keys(), ...lacking.map((w) => w.entry.name)];
      underReplicated += underReplicatedCount(
        names,
        holdings(ctx, shard, owners, mine, theirs, summaries),
        ctx.config.replicationFactor,
      );
    }
  }
  const pulled = await pullWants(ctx, wants, peers, signal);
  await recordCopies(ctx, pulled, 'held', signal);
  const storeProblem = ctx.storeHealth?.state().reason;
  const trim = ctx.drain?.draining()
    ? await drainInstead(ctx, signal)
    : storeProblem
      ? { deleted: 0, blocked: `store unhealthy: ${storeProblem}` }
      : await trimShards(ctx, toTrim, signal);
  return {
    full,
    peersAnswered: [...summaries.values()].filter((v) => v !== null).length,
    peersAsked: peers.length,
    shards: shards.size,
    listed: pairs.length,
    pulled: pulled.length,
    pullFailed: wants.length - pulled.length,
    deleted: trim.deleted,
    underReplicated,
    requests: ctx.peers.requests - requestsBefore,
    seconds: (Date.now() - started) / 1000,
    trimBlocked: trim.blocked,
  };
}

async function fetchSummaries(ctx: RepairContext, peers: Peer[], signal: AbortSignal): Promise<Summaries> {
  const answers = await mapLimit(peers, 8, async (peer) => {
    try {
      return (await ctx.peers.summaries(peer, signal)).shards;
    } catch (err) {
      ctx.log.warn(
        { peer: peer.host, err: describeError(err) },
        'repair: peer summaries unavailable; skipping it',
      );
      return null;
    }
  });
  return new Map(peers.map((p, i) => [p.nodeId, answers[i]]));
}

/** Peers whose summary of `shard` is non-empty and differs from this node's. */
function differingPeers(ctx: RepairContext, shard: string, peers: Peer[], summaries: Summaries): Peer[] {
  const mine = ctx.catalog.summary(shard);
  return peers.filter((p) => {
    const theirs = summaries.get(p.nodeId)?.[shard];
    return theirs !== undefined && (theirs[0] !== mine.count || theirs[1] !== mine.digest);
  });
}

/**
 * `peers` grouped by their summary of `shard`: peers with equal summaries hold the same set
 * (the same assumption as `holdings` below), so one listing serves the whole group. After a
 * node dies, the other holders of a shard agree: this halves the listings (each is a signed
 * request, and signatures are most of a pass's CPU).
 */
function agreeingGroups(peers: Peer[], shard: string, summaries: Summaries): Peer[][] {
  const groups = new Map<string, Peer[]>();
  for (const p of peers) {
    const [count, digest] = summaries.get(p.nodeId)![shard];
    const key = `${count}:${digest}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  return [...groups.values()];
}

/**
 * One listing per (shard, group of agreeing peers), from the first peer of the group that
 * answers, recorded for every peer in it. Requests go per peer, many shards each; the shards
 * of a peer that fails are asked of the next peer of their groups.
 */
async function fetchListings(
  ctx: RepairContext,
  pairs: { shard: string; group: Peer[] }[],
  signal: AbortSignal,
): Promise<Map<string, Map<string, CatalogEntry[]>>> {
  const out = new Map<string, Map<string, CatalogEntry[]>>();
  let pending = pairs.map((p) => ({ ...p, next: 0 }));
  while (pending.length > 0 && !signal.aborted) {
    const byPeer = new Map<string, { peer: Peer; items: typeof pending }>();
    for (const item of pending) {
      const peer = item.group[item.next];
      if (!peer) continue;
      const entry = byPeer.get(peer.nodeId) ?? { peer, items: [] };
      entry.items.push(item);
      byPeer.set(peer.nodeId, entry);
    }
    const failed: typeof pending = [];
    await mapLimit([...byPeer.values()], 8, async ({ peer, items }) => {
      try {
        const got = await ctx.peers.listings(peer, [...new Set(items.map((i) => i.shard))], signal);
        for (const { shard, group } of items) {
          if (!out.has(shard)) out.set(shard, new Map());
          for (const p of group) out.get(shard)!.set(p.nodeId, got.get(shard) ?? []);
        }
      } catch (err) {
        ctx.log.warn(
          { peer: peer.host, err: describeError(err) },
          'repair: listings unavailable; asking others',
        );
        failed.push(...items.map((i) => ({ ...i, next: i.next + 1 })));
      }
    });
    pending = failed;
  }
  return out;
}

/** What each owner of a shard holds, as far as this pass knows (null: it did not answer). */
function holdings(
  ctx: RepairContext,
  shard: string,
  owners: string[],
  mine: Map<string, CatalogEntry>,
  theirs: Map<string, CatalogEntry[]>,
  summaries: Summaries,
): Map<string, ReadonlySet<string> | null> {
  const out = new Map<string, ReadonlySet<string> | null>();
  const myNames = new Set(mine.keys());
  const mySummary = ctx.catalog.summary(shard);
  const holdingBySummary = (
    theirs: [number, string] | undefined,
    all: Record<string, [number, string]> | null | undefined,
    m: { count: number; digest: string },
  ): ReadonlySet<string> | null => {
    if (!all) return null; // did not answer
    if (!theirs) return new Set(); // holds nothing of the shard
    return theirs[0] === m.count && theirs[1] === m.digest ? myNames : null; // same set, or unlisted
  };
  for (const owner of owners) {
    if (owner === ctx.identity.address) out.set(owner, myNames);
    else if (theirs.has(owner)) out.set(owner, new Set(theirs.get(owner)!.map((e) => e.name)));
    else out.set(owner, holdingBySummary(summaries.get(owner)?.[shard], summaries.get(owner), mySummary));
  }
  return out;
}

async function pullWants(
  ctx: RepairContext,
  wants: Want[],
  peers: Peer[],
  signal: AbortSignal,
): Promise<Want[]> {
  const hosts = new Map(peers.map((p) => [p.nodeId, p]));
  const done = await mapLimit(wants, ctx.config.repairConcurrency, async (want) => {
    if (signal.aborted) return false;
    const sources = want.holders.flatMap((id) => (hosts.has(id) ? [{ peer: hosts.get(id)! }] : []));
    return pullFile(ctx, want.entry, sources, signal);
  });
  return wants.filter((_, i) => done[i]);
}

/**
 * A draining node deletes nothing (it keeps every copy until it is removed); its pass checks
 * instead whether every file it holds is on R other owners (shared/drain/check.ts).
 */
async function drainInstead(
  ctx: RepairContext,
  signal: AbortSignal,
): Promise<{ deleted: number; blocked: string }> {
  const result = await checkDrain(ctx, signal);
  ctx.drain?.record(result);
  return { deleted: 0, blocked: 'this node is draining: it keeps its copies' };
}

/** Nodes that own some shard together with `me`. */
function coOwnersOf(ring: Ring, me: string): Set<string> {
  const out = new Set<string>();
  if (!ring.has(me)) return out;
  for (const shard of ring.shardsOf(me)) for (const o of ring.owners(shard)) if (o !== me) out.add(o);
  return out;
}
