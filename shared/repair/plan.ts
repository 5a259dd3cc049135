import type { CatalogEntry } from './catalog';

/**
 * Pure decisions of a repair pass, kept apart from I/O so they can be tested on their own.
 */

/** A file this node should hold and does not, with the peers that listed a copy. */
export interface Want {
  shard: string;
  entry: CatalogEntry;
  /** Node ids holding the same (size, sha256), current owners first. */
  holders: string[];
}

/**
 * What this node lacks of a shard it owns: every file some peer lists that is not in `mine`.
 * Holders are ordered owners first (they are the ones meant to keep it), then the rest. When
 * peers disagree about a name's bytes, the version most peers hold wins (a name's bytes never
 * change, so a disagreement is a bad copy somewhere; its own node's scrub catches it).
 */
export function missingFiles(
  shard: string,
  mine: ReadonlyMap<string, CatalogEntry>,
  listings: ReadonlyMap<string, readonly CatalogEntry[]>,
  owners: readonly string[],
): Want[] {
  const byName = new Map<string, Map<string, { entry: CatalogEntry; holders: string[] }>>();
  for (const [peer, files] of listings) {
    for (const f of files) {
      if (mine.has(f.name)) continue;
      const versions = byName.get(f.name) ?? new Map();
      byName.set(f.name, versions);
      const id = `${f.size}:${f.sha256}`;
      const v = versions.get(id) ?? { entry: f, holders: [] };
      v.holders.push(peer);
      versions.set(id, v);
    }
  }
  const rank = (n: string) => (owners.includes(n) ? owners.indexOf(n) : owners.length);
  return [...byName.values()].map((versions) => {
    const best = [...versions.values()].sort((a, b) => b.holders.length - a.holders.length)[0];
    return { shard, entry: best.entry, holders: best.holders.sort((a, b) => rank(a) - rank(b)) };
  });
}

/**
 * Files of a shard that fewer than `want` of its owners hold. `holdings` maps each owner to
 * the names it holds, or null when it did not answer (counted as holding nothing).
 */
export function underReplicatedCount(
  names: Iterable<string>,
  holdings: ReadonlyMap<string, ReadonlySet<string> | null>,
  want: number,
): number {
  let n = 0;
  for (const name of names) {
    let copies = 0;
    for (const held of holdings.values()) if (held?.has(name)) copies++;
    if (copies < want) n++;
  }
  return n;
}

export interface DeleteSafety {
  healthyMembers: number;
  replicationFactor: number;
  natsConnected: boolean;
  /** ms since this node's ring last changed. */
  ringAgeMs: number;
  graceMs: number;
}

/**
 * Why this node may not delete anything now, or null when it may (DESIGN §10 "Safety"): a
 * node that sees fewer than R healthy members, has lost NATS, or whose ring changed within
 * the grace period deletes nothing.
 */
export function deletionBlockedBecause(s: DeleteSafety): string | null {
  if (!s.natsConnected) return 'NATS is not connected';
  if (s.healthyMembers < s.replicationFactor)
    return `${s.healthyMembers} healthy members, fewer than R = ${s.replicationFactor}`;
  if (s.ringAgeMs < s.graceMs)
    return `the ring changed ${Math.round(s.ringAgeMs / 1000)} s ago, within the ${Math.round(s.graceMs / 1000)} s grace period`;
  return null;
}

/**
 * May this copy go? Only when every one of the R current owners (none of them this node)
 * answered a fresh listing showing the same size and sha256.
 */
export function confirmedOnAllOwners(
  mine: CatalogEntry,
  owners: readonly string[],
  fresh: ReadonlyMap<string, ReadonlyMap<string, CatalogEntry> | null>,
  replicationFactor: number,
): boolean {
  if (owners.length < replicationFactor) return false;
  return owners.every((o) => {
    const theirs = fresh.get(o)?.get(mine.name);
    return theirs !== undefined && theirs.size === mine.size && theirs.sha256 === mine.sha256;
  });
}
