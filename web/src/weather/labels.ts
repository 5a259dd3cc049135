import { hostLabel, shortId } from '../lib/format';
import type { WeatherMember } from '../lib/types';

/**
 * Node names and colours for one report: a node keeps its colour across sections (cards,
 * rings, shard columns), colours by position in the sorted member list.
 */
export class NodeLabels {
  private readonly members = new Map<string, WeatherMember>();
  private readonly order: string[];

  constructor(
    members: readonly WeatherMember[],
    readonly self: string,
  ) {
    for (const m of members) this.members.set(m.nodeId, m);
    this.order = members.map((m) => m.nodeId).sort();
  }

  name(nodeId: string): string {
    return hostLabel(this.members.get(nodeId)?.host) || shortId(nodeId);
  }

  color(nodeId: string): string {
    const i = this.order.indexOf(nodeId);
    if (i < 0) return '#888';
    // Golden-angle hues: neighbours differ, and any number of nodes gets a colour.
    return `hsl(${Math.round((i * 137.508 + 210) % 360)} 65% 48%)`;
  }
}
