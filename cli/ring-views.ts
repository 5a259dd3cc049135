import { Ring, shardAt } from '../shared/placement/mod';
import { compareViews } from '../shared/weather/agreement';
import type { Agreement, NodeView } from '../shared/weather/types';
import { NodeClient, networkReason } from './client';
import { fetchNodes, type NodesAnswer } from './members';

/** A member that does not answer this fast counts as unreachable (as on the weather map). */
const PEER_TIMEOUT_MS = 3000;
/** A ring is ~370 KB of JSON (46,656 shards × R) that the node encodes: give it longer. */
const RING_TIMEOUT_MS = 10_000;
/** Shards named as examples of a difference. */
const EXAMPLES = 5;

/** How one ring differs from the majority's. */
export interface RingDifference {
  fingerprint: string;
  viewers: string[];
  /** Shards whose owners (rank order) differ from the majority ring's. */
  shardsDiffering: number;
  shardCount: number;
  examples: { shard: string; majority: string[]; these: string[] }[];
}

export interface RingReport {
  asked: string;
  agreement: Agreement;
  views: NodeView[];
  /** Against the largest group's ring; empty when all agree. */
  differences: RingDifference[];
}

/**
 * Every healthy member's own view (its `/storage/nodes` and `/storage/ring`), asked from
 * here, grouped by the weather map's compareViews: does every node agree on who stores what?
 */
export async function ringReport(client: NodeClient): Promise<RingReport> {
  const asked = await fetchNodes(client);
  const rings = new Map<string, Ring>();
  const members = asked.nodes.filter((m) => m.healthy || m.nodeId === asked.self);
  const views = await Promise.all(
    members.map((m) =>
      viewOf(m.nodeId === asked.self ? client : NodeClient.of(m.host), m.nodeId, m.host, rings),
    ),
  );
  const agreement = compareViews(views);
  const majority = rings.get(agreement.fingerprints[0]?.fingerprint ?? '');
  const differences = majority
    ? agreement.fingerprints.slice(1).flatMap(({ fingerprint, viewers }) => {
        const other = rings.get(fingerprint);
        return other ? [difference(majority, other, fingerprint, viewers)] : [];
      })
    : [];
  return { asked: asked.self, agreement, views, differences };
}

async function viewOf(
  client: NodeClient,
  nodeId: string,
  host: string,
  rings: Map<string, Ring>,
): Promise<NodeView> {
  const view: NodeView = { nodeId, host, reachable: false };
  let answer: NodesAnswer;
  try {
    answer = await fetchNodes(client, PEER_TIMEOUT_MS);
  } catch (err) {
    return { ...view, error: networkReason(err) };
  }
  if (answer.self !== nodeId) return { ...view, error: `its host answered as ${answer.self}` };
  const healthy = answer.nodes
    .filter((m) => m.healthy)
    .map((m) => m.nodeId)
    .sort();
  const out: NodeView = { ...view, reachable: true, ringFingerprint: answer.ringFingerprint, healthy };
  if (!rings.has(answer.ringFingerprint)) {
    try {
      rings.set(
        answer.ringFingerprint,
        Ring.fromCompact(await client.json('/ring', { timeoutMs: RING_TIMEOUT_MS })),
      );
    } catch (err) {
      out.error = `ring: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  return out;
}

function difference(majority: Ring, other: Ring, fingerprint: string, viewers: string[]): RingDifference {
  const shardCount = Math.min(majority.shardCount, other.shardCount);
  const examples: RingDifference['examples'] = [];
  let shardsDiffering = Math.abs(majority.shardCount - other.shardCount);
  for (let i = 0; i < shardCount; i++) {
    const shard = shardAt(i, majority.shardLength);
    const a = majority.owners(shard);
    const b = other.shardLength === majority.shardLength ? other.owners(shard) : [];
    if (a.join() === b.join()) continue;
    shardsDiffering++;
    if (examples.length < EXAMPLES) examples.push({ shard, majority: a, these: b });
  }
  return { fingerprint, viewers, shardsDiffering, shardCount: majority.shardCount, examples };
}
