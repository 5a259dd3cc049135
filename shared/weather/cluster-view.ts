import type { CompactRing } from '../placement/mod';
import { reasonOf, type FetchJson } from './fetch-json';
import { summarizeRing, type RingSummaryCache } from './ring-summary';
import type { NodeView, RingSummary, WeatherMember } from './types';

/** A peer that does not answer in this long is shown as unreachable; the page polls again. */
export const PEER_TIMEOUT_MS = { nodes: 1500, ring: 3000 } as const;

/** What the answering node knows itself, without asking anyone. */
export interface LocalView {
  self: string;
  members: readonly WeatherMember[];
  fingerprint: string;
  /** Its ring in compact form; called only when the sketch cache lacks `fingerprint`. */
  compact: () => CompactRing;
}

/**
 * Every node's own view of the cluster (DESIGN §3): this node's from memory, each other
 * healthy member's from its `GET /storage/nodes` (and `GET /storage/ring` when its
 * fingerprint is new), asked in parallel with a short deadline.
 */
export async function collectViews(
  local: LocalView,
  cache: RingSummaryCache,
  fetch: FetchJson,
): Promise<NodeView[]> {
  const me = local.members.find((m) => m.nodeId === local.self);
  const own: NodeView = {
    nodeId: local.self,
    host: me?.host ?? '',
    reachable: true,
    ringFingerprint: local.fingerprint,
    healthy: healthyIds(local.members),
    ring: cache.get(local.fingerprint) ?? sketch(cache, local.compact()),
  };
  const peers = local.members.filter((m) => m.healthy && m.nodeId !== local.self);
  return [own, ...(await Promise.all(peers.map((m) => peerView(m, cache, fetch))))];
}

async function peerView(member: WeatherMember, cache: RingSummaryCache, fetch: FetchJson): Promise<NodeView> {
  const view: NodeView = { nodeId: member.nodeId, host: member.host, reachable: false };
  let answer: { self?: unknown; ringFingerprint?: unknown; nodes?: unknown };
  try {
    answer = (await fetch(`${member.host}/storage/nodes`, PEER_TIMEOUT_MS.nodes)) as typeof answer;
  } catch (err) {
    return { ...view, error: reasonOf(err) };
  }
  if (answer?.self !== member.nodeId)
    return { ...view, error: `its host answered as ${String(answer?.self)}` };
  if (typeof answer.ringFingerprint !== 'string' || !Array.isArray(answer.nodes)) {
    return { ...view, error: 'its /storage/nodes answer is malformed' };
  }
  const fingerprint = answer.ringFingerprint;
  const out: NodeView = {
    ...view,
    reachable: true,
    ringFingerprint: fingerprint,
    healthy: healthyIds(answer.nodes as WeatherMember[]),
  };
  try {
    out.ring =
      cache.get(fingerprint) ??
      sketch(cache, await fetch(`${member.host}/storage/ring`, PEER_TIMEOUT_MS.ring));
  } catch (err) {
    out.error = `ring: ${reasonOf(err)}`;
  }
  return out;
}

/** Sketches a compact ring and keeps the sketch under its fingerprint. */
function sketch(cache: RingSummaryCache, compact: unknown): RingSummary {
  const summary = summarizeRing(compact);
  cache.set(summary);
  return summary;
}

function healthyIds(members: readonly { nodeId: string; healthy: boolean }[]): string[] {
  return members
    .filter((m) => m.healthy)
    .map((m) => m.nodeId)
    .sort();
}
