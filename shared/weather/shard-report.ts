import {
  COPY_STATE,
  FILE_STATUS,
  type CopyState,
  type ShardCopy,
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

/** What an owner said of its repair (`GET /storage/repair/status`): the files it is pulling now. */
export type RepairProbe =
  { reachable: true; pulling: readonly string[] } | { reachable: false; error: string };

/** Checks a node's `GET /storage/repair/status` answer; what it is pulling, or why it cannot be read. */
export function parseRepairAnswer(nodeId: string, answer: unknown): RepairProbe {
  const a = answer as { nodeId?: unknown; pulling?: unknown } | null;
  if (a?.nodeId !== nodeId) return { reachable: false, error: `its host answered as ${String(a?.nodeId)}` };
  if (!Array.isArray(a.pulling) || !a.pulling.every((n) => typeof n === 'string'))
    return { reachable: false, error: 'its repair status is malformed' };
  return { reachable: true, pulling: a.pulling as string[] };
}

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
  /** Owners asked what they are pulling, by id; without an entry a node's copies are not marked. */
  repairs?: ReadonlyMap<string, RepairProbe>;
}

/**
 * Where each file of a shard actually is, checked against every owner: a file is healthy
 * when every owner holds it with the recorded size and sha256, NOT REPLICATED when an
 * owner lacks it (or cannot be asked), DIGEST MISMATCH when any copy differs. A copy that
 * its node is pulling right now (repair) is marked `repairing`; the file's status stays what
 * the listings show until the pull lands.
 */
export function buildShardReport(input: ShardInputs): ShardReport {
  const nodeIds = [
    ...input.owners,
    ...[...input.listings.keys()].filter((id) => !input.owners.includes(id)).sort(),
  ];
  const pulling = pullingOfShard(input);
  const nodes = nodeIds.map((id) => shardNode(input, id, pulling.get(id)));
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
  // A file being pulled that no record names and no one listed still gets a row.
  const pulled = [...pulling.values()].flatMap((names) => [...names]);
  const names = [...new Set([...expected.keys(), ...held.keys(), ...pulled])].sort();
  const files = names.map((name) => {
    const record = expected.get(name);
    return classify(input, nodeIds, name, record ?? null, held.get(name) ?? new Map(), pulling);
  });
  return { shard: input.shard, prefix: input.prefix, owners: input.owners, nodes, files, pendingJobs };
}

function shardNode(input: ShardInputs, nodeId: string, pulling: Set<string> | undefined): ShardNode {
  const member = input.member(nodeId);
  const listing = input.listings.get(nodeId);
  const repair = input.repairs?.get(nodeId);
  const rank = input.owners.indexOf(nodeId);
  return {
    nodeId,
    host: member?.host ?? null,
    rank: rank >= 0 ? rank : null,
    healthy: member?.healthy ?? false,
    reachable: listing?.reachable ?? false,
    ...(listing && !listing.reachable ? { error: listing.error } : {}),
    ...(repair?.reachable ? { repairing: [...(pulling ?? [])].sort() } : {}),
    ...(repair && !repair.reachable ? { repairError: repair.error } : {}),
  };
}

/** node id → the files of this shard it is pulling now (job ids end with their shard). */
function pullingOfShard(input: ShardInputs): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [nodeId, probe] of input.repairs ?? []) {
    if (!probe.reachable) continue;
    out.set(nodeId, new Set(probe.pulling.filter((name) => name.split('_')[0].endsWith(input.shard))));
  }
  return out;
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
  pulling: ReadonlyMap<string, Set<string>>,
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
    const cell: ShardCopy = copy ? { state, size: copy.size, sha256: copy.sha256 } : { state };
    if (pulling.get(id)?.has(fileName)) cell.repairing = true;
    out[id] = cell;
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
