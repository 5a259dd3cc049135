import { decodeCompact } from '../placement/compact';
import { NO_OWNER } from '../placement/table';
import type { RingSummary } from './types';

/** Shards sampled to draw a ring: enough to see a change, small enough to send every poll. */
export const RING_SAMPLES = 256;

/**
 * Sketches a ring from its compact form (a node's own `GET /storage/ring`). The compact
 * form is decoded and its fingerprint checked, so a sketch is of the ring the node has.
 */
export function summarizeRing(compact: unknown): RingSummary {
  const ring = decodeCompact(compact);
  const r = ring.replicationFactor;
  const shards = ring.owners.length / r;
  const counts = new Array<number>(ring.nodes.length).fill(0);
  for (const position of ring.owners) if (position !== NO_OWNER) counts[position]++;
  const primaries: number[] = [];
  for (let i = 0; i < RING_SAMPLES; i++) {
    const position = ring.owners[Math.floor((i * shards) / RING_SAMPLES) * r];
    primaries.push(position === NO_OWNER ? -1 : position);
  }
  const nodes = ring.nodes.map((n) => n.id);
  return {
    fingerprint: (compact as { fingerprint: string }).fingerprint,
    nodes,
    replicas: Object.fromEntries(nodes.map((id, i) => [id, counts[i]])),
    primaries,
  };
}

/**
 * Sketches by fingerprint: a fingerprint names one table, so a sketch never goes stale and
 * a node's ring is fetched again only when its fingerprint changes.
 */
export class RingSummaryCache {
  private readonly entries = new Map<string, RingSummary>();

  constructor(private readonly limit = 16) {}

  get(fingerprint: string): RingSummary | undefined {
    return this.entries.get(fingerprint);
  }

  set(summary: RingSummary): void {
    this.entries.delete(summary.fingerprint);
    this.entries.set(summary.fingerprint, summary);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value as string);
  }
}
