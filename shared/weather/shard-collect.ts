import type { BlobStore } from '../blob/types';
import { StorageError } from '../errors';
import { shardPrefix } from '../jobs/keys';
import type { Job } from '../jobs/types';
import { isValidShard } from '../placement/mod';
import type { Services } from '../runtime/services';
import { fetchJson, reasonOf, type FetchJson } from './fetch-json';
import {
  buildShardReport,
  parseRepairAnswer,
  type Listing,
  type ListingItem,
  type RepairProbe,
} from './shard-report';
import type { ShardReport } from './types';

/** Newest jobs of a shard that the page checks; older ones are left out. */
export const SHARD_JOB_LIMIT = 500;
const LISTING_TIMEOUT_MS = 3000;

/**
 * The weather map's shard page: the owners by this node's ring, and each owner's (and each
 * recorded holder's) own listing of the shard, checked against the job records; each owner's
 * `GET /storage/repair/status` says which of the files it is pulling right now.
 */
export async function shardReport(
  s: Services,
  raw: string,
  fetch: FetchJson = fetchJson,
): Promise<ShardReport> {
  const shard = raw.startsWith(`${s.config.namespace}_`) ? raw.slice(s.config.namespace.length + 1) : raw;
  if (!isValidShard(shard, s.config.shardLength)) throw new StorageError('BAD_SHARD', `Not a shard: ${raw}`);
  const prefix = shardPrefix(s.config.namespace, shard).slice(0, -1);
  const owners = s.membership.ring().owners(shard);
  const jobs = await jobsOfShard(s, shard);
  const recorded = jobs.flatMap((j) => j.results.flatMap((r) => r.nodes));
  const asked = [...new Set([...owners, ...recorded])];
  const listings = new Map<string, Listing>();
  const repairs = new Map<string, RepairProbe>();
  await Promise.all([
    ...asked.map(async (id) => listings.set(id, await listingOf(s, id, prefix, fetch))),
    ...owners.map(async (id) => repairs.set(id, await repairOf(s, id, fetch))),
  ]);
  return buildShardReport({
    shard,
    prefix,
    owners,
    member: (id) => s.membership.get(id),
    listings,
    jobs,
    repairs,
  });
}

/** What an owner is pulling now, asked with the listings' deadline (a node older than the route answers 404). */
async function repairOf(s: Services, nodeId: string, fetch: FetchJson): Promise<RepairProbe> {
  if (nodeId === s.identity.address) return { reachable: true, pulling: s.repair.pulling() };
  const member = s.membership.get(nodeId);
  if (!member) return { reachable: false, error: 'not a known member' };
  try {
    return parseRepairAnswer(nodeId, await fetch(`${member.host}/storage/repair/status`, LISTING_TIMEOUT_MS));
  } catch (err) {
    return { reachable: false, error: reasonOf(err) };
  }
}

async function listingOf(s: Services, nodeId: string, prefix: string, fetch: FetchJson): Promise<Listing> {
  if (nodeId === s.identity.address) return { reachable: true, items: await listLocal(s.blob, `${prefix}/`) };
  const member = s.membership.get(nodeId);
  if (!member) return { reachable: false, error: 'not a known member' };
  try {
    const items = await fetch(`${member.host}/storage/long-term/shard/${prefix}`, LISTING_TIMEOUT_MS);
    if (!Array.isArray(items)) return { reachable: false, error: 'its listing is malformed' };
    return { reachable: true, items: items as ListingItem[] };
  } catch (err) {
    return { reachable: false, error: reasonOf(err) };
  }
}

async function listLocal(blob: BlobStore, prefix: string): Promise<ListingItem[]> {
  const items: ListingItem[] = [];
  let cursor: string | undefined;
  do {
    const page = await blob.list(prefix, { cursor, limit: 1000 });
    for (const item of page.items)
      items.push({ key: item.key, size: item.size, sha256: item.sha256 ?? null });
    cursor = page.cursor;
  } while (cursor);
  return items;
}

/** The shard's jobs from the shard index (shared/jobs/job-index.ts), newest first. */
async function jobsOfShard(s: Services, shard: string): Promise<Job[]> {
  const ids = (await s.jobs.shardIds(shard)).sort().reverse();
  const jobs: Job[] = [];
  for (let i = 0; i < Math.min(ids.length, SHARD_JOB_LIMIT); i += 50) {
    const batch = await Promise.all(
      ids.slice(i, Math.min(i + 50, SHARD_JOB_LIMIT)).map((id) => s.jobs.get(id)),
    );
    for (const job of batch) if (job) jobs.push(job);
  }
  return jobs;
}
