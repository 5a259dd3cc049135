import type { Member, MembershipChange } from '../shared/membership/types';
import type { NodeClient } from './client';

/** `GET /storage/nodes`. */
export interface NodesAnswer {
  self: string;
  ringFingerprint: string;
  nodes: Member[];
  changes: MembershipChange[];
}

export const fetchNodes = (client: NodeClient, timeoutMs?: number) =>
  client.json<NodesAnswer>('/nodes', { timeoutMs });

/** node id → host, for printing holders as something a person can open. */
export function hostsById(answer: NodesAnswer): Map<string, string> {
  return new Map(answer.nodes.map((m) => [m.nodeId, m.host]));
}
