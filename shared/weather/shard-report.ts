import {
  COPY_STATE,
  FILE_STATUS,
  type CopyState,
  type ShardFile,
  type ShardNode,
  type ShardReport,
} from './types';

/** One entry of a node's `GET /storage/long-term/shard/:shard`. */
export interface ListingItem {
  /** `<ns>_<shard>/<fileName>`. */
  key: string;
  size: number;
  sha256: string | null;
}

export type Listing = { reachable: true; items: ListingItem[] } | { reachable: false; error: string };

/** The part of a job record the check needs. */
export interface ShardJob {
  id: string;
  status: string;
  source_info?: { description?: string };
  results: { name: string; size: number; sha256: string; nodes: string[] }[];
}

export interface ShardInputs {
  shard: string;
  /** `<ns>_<shard>`. */
  prefix: string;
  /** In rank order. */
  owners: string[];
  member: (nodeId: string) => { host: string; healthy: boolean } | undefined;
  /** Every node asked, by id. */
  listings: ReadonlyMap<string, Listing>;
  jobs: readonly ShardJob[];
}

/**
 * Where each file of a shard actually is, checked against every owner: a file is healthy
 * when every owner holds it with the recorded size and sha256, NOT REPLICATED when an
 * owner lacks it (or cannot be asked), DIGEST MISMATCH when any copy differs.
 */
export function buildShardReport(input: ShardInputs): ShardReport {
  const nodeIds = [
    ...input.owners,
    ...[...input.listings.keys()].filter((id) => !input.owners.includes(id)).sort(),
  ];
  const nodes = nodeIds.map((id) => shardNode(input, id));
  const expected = new Map<string, { size: number; sha256: string; jobId: string; jobStatus: string }>();
  const pendingJobs: ShardReport['pendingJobs'] = [];
  for (const job of input.jobs) {
    const stored = job.status === 'done' || job.results.some((r) => r.nodes.length > 0);
    if (!stored)
      pendingJobs.push({ id: job.id, status: job.status, name: job.source_info?.description ?? '' });
    else
      for (const r of job.results)
        expected.set(r.name, { size: r.size, sha256: r.sha256, jobId: job.id, jobStatus: job.status });
  }
  const held = heldFiles(input);
  const names = [...new Set([...expected.keys(), ...held.keys()])].sort();
  const files = names.map((name) => {
    const record = expected.get(name);
    return classify(input, nodeIds, name, record ?? null, held.get(name) ?? new Map());
  });
  return { shard: input.shard, prefix: input.prefix, owners: input.owners, nodes, files, pendingJobs };
}

function shardNode(input: ShardInputs, nodeId: string): ShardNode {
  const member = input.member(nodeId);
  const listing = input.listings.get(nodeId);
  const rank = input.owners.indexOf(nodeId);
  return {
    nodeId,
    host: member?.host ?? null,
    rank: rank >= 0 ? rank : null,
    healthy: member?.healthy ?? false,
    reachable: listing?.reachable ?? false,
    ...(listing && !listing.reachable ? { error: listing.error } : {}),
  };
}

/** file name → node id → its copy. */
function heldFiles(input: ShardInputs): Map<string, Map<string, ListingItem>> {
  const held = new Map<string, Map<string, ListingItem>>();
  for (const [nodeId, listing] of input.listings) {
    if (!listing.reachable) continue;
    for (const item of listing.items) {
      const name = item.key.slice(item.key.lastIndexOf('/') + 1);
      if (!held.has(name)) held.set(name, new Map());
      held.get(name)!.set(nodeId, item);
    }
  }
  return held;
}

function classify(
  input: ShardInputs,
  nodeIds: string[],
  fileName: string,
  record: { size: number; sha256: string; jobId: string; jobStatus: string } | null,
  copies: Map<string, ListingItem>,
): ShardFile {
  // Without a job record, the first reported digest is the reference: copies must agree.
  const first = [...copies.values()].find((c) => c.sha256);
  const reference = record ?? (first ? { size: first.size, sha256: first.sha256 as string } : null);
  const out: ShardFile['copies'] = {};
  for (const id of nodeIds) {
    const listing = input.listings.get(id);
    const copy = copies.get(id);
    let state: CopyState;
    if (!listing?.reachable) state = COPY_STATE.unreachable;
    else if (!copy) state = COPY_STATE.missing;
    else if (
      reference &&
      (copy.size !== reference.size || (copy.sha256 !== null && copy.sha256 !== reference.sha256))
    )
      state = COPY_STATE.mismatch;
    else state = COPY_STATE.ok;
    out[id] = copy ? { state, size: copy.size, sha256: copy.sha256 } : { state };
  }
  const states = Object.values(out).map((c) => c.state);
  const goodOwnerCopies = input.owners.filter((id) => out[id]?.state === COPY_STATE.ok).length;
  const status = states.includes(COPY_STATE.mismatch)
    ? FILE_STATUS.digestMismatch
    : goodOwnerCopies < input.owners.length
      ? FILE_STATUS.notReplicated
      : FILE_STATUS.healthy;
  return {
    fileName,
    jobId: record?.jobId ?? fileName.split('_')[0],
    expected: record ? { size: record.size, sha256: record.sha256 } : null,
    jobStatus: record?.jobStatus ?? null,
    status,
    copies: out,
    goodOwnerCopies,
  };
}
