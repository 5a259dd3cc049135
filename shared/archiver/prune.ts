import { mapLimit } from '../blob/concurrency';
import { ArchiverError } from './errors';
import { OBJECTS, newSnapshotId, shaOfObjectKey } from './layout';
import { acquireLock } from './locks';
import type { Reporter } from './progress';
import {
  deleteManifest,
  listAll,
  listSnapshots,
  openArchiveFolder,
  readManifest,
  type SnapshotRef,
} from './snapshots';
import type { Archive } from './stores';

export interface PruneOptions {
  archive: Archive;
  /** Keep the newest N snapshots of each node. */
  keepLast?: number;
  /** Keep every snapshot younger than this many milliseconds. */
  keepWithinMs?: number;
  /** Only this node's snapshots are considered for removal. */
  node?: string;
  /**
   * Objects no snapshot names are deleted only once older than this: a backup running at the
   * same time has sent objects its manifest does not name yet.
   */
  graceMs: number;
  reporter: Reporter;
  dryRun: boolean;
  now?: Date;
}

export interface PruneSummary {
  kept: string[];
  removed: string[];
  deleted_objects: number;
  deleted_bytes: number;
  dry_run: boolean;
  seconds: number;
}

/**
 * Retention (issue 12): keep-last per node and/or keep-within; the manifests go first (a
 * snapshot vanishes whole), then the objects no remaining snapshot names. Interrupted, it
 * leaves only unnamed objects, which the next prune removes.
 */
export async function prune(o: PruneOptions): Promise<PruneSummary> {
  const started = Date.now();
  if (o.keepLast === undefined && o.keepWithinMs === undefined)
    throw new ArchiverError('usage', 'prune needs a retention: --keep-last N and/or --keep-within 30d');
  await openArchiveFolder(o.archive, false);
  const lock = o.dryRun
    ? null
    : await acquireLock(o.archive, 'prune', newSnapshotId(new Date(started), 'prune'));
  try {
    return await removeExpired(o, started);
  } finally {
    await lock?.release();
  }
}

async function removeExpired(o: PruneOptions, started: number): Promise<PruneSummary> {
  const all = await listSnapshots(o.archive);
  const keep = retained(all, o);
  const removed = all.filter((s) => !keep.has(s.id));
  // Every remaining manifest is read before anything goes: an object is deleted only if none
  // names it, and one unreadable manifest stops the prune with nothing removed.
  const named = new Set<string>();
  for (const s of all.filter((x) => keep.has(x.id))) {
    const m = await readManifest(o.archive, s.id);
    for (const f of m.files) named.add(f.sha256);
    if (m.jobs) named.add(m.jobs.sha256);
  }
  for (const s of removed) {
    o.reporter.event('remove', { snapshot: s.id, node: s.node, time: s.time.toISOString() });
    if (!o.dryRun) await deleteManifest(o.archive, s.id);
  }
  const cutoff = (o.now ?? new Date()).getTime() - o.graceMs;
  const garbage = [];
  for await (const info of listAll(o.archive.store, `${o.archive.root}${OBJECTS}`, { details: false })) {
    const sha = shaOfObjectKey(o.archive.root, info.key);
    if (sha && !named.has(sha) && (info.modified?.getTime() ?? 0) < cutoff) garbage.push(info);
  }
  for (const info of garbage)
    o.reporter.event('delete', { sha256: shaOfObjectKey(o.archive.root, info.key), size: info.size });
  if (!o.dryRun) await mapLimit(garbage, 16, (info) => o.archive.store.delete(info.key));
  return {
    kept: [...keep],
    removed: removed.map((s) => s.id),
    deleted_objects: garbage.length,
    deleted_bytes: garbage.reduce((n, i) => n + i.size, 0),
    dry_run: o.dryRun,
    seconds: (Date.now() - started) / 1000,
  };
}

function retained(all: SnapshotRef[], o: PruneOptions): Set<string> {
  const keep = new Set<string>();
  const now = (o.now ?? new Date()).getTime();
  const byNode = new Map<string, SnapshotRef[]>();
  for (const s of all) byNode.set(s.node, [...(byNode.get(s.node) ?? []), s]);
  for (const [node, list] of byNode) {
    if (o.node && node !== o.node) {
      list.forEach((s) => keep.add(s.id));
      continue;
    }
    if (o.keepLast !== undefined) list.slice(-o.keepLast).forEach((s) => keep.add(s.id));
    if (o.keepWithinMs !== undefined)
      list.filter((s) => now - s.time.getTime() <= o.keepWithinMs!).forEach((s) => keep.add(s.id));
  }
  return keep;
}
