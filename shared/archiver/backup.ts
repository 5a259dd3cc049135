import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { BlobInfo, BlobStore } from '../blob';
import { mapLimit } from '../blob/concurrency';
import type { JobStore } from '../jobs/job-store';
import { copyVerified, hashObject, objectError } from './transfer';
import { exportJobs } from './jobs';
import { acquireLock } from './locks';
import { sealKey } from './key-export';
import { OBJECTS, newSnapshotId, objectKey, shaOfObjectKey } from './layout';
import { MANIFEST_FORMAT, MANIFEST_VERSION, type Manifest, type ManifestFile } from './manifest';
import type { Reporter } from './progress';
import { listSourceFiles } from './source';
import { listAll, listSnapshots, openArchiveFolder, publishManifest, readManifest } from './snapshots';
import type { Archive } from './stores';

export interface BackupOptions {
  archive: Archive;
  source: BlobStore;
  nodeId: string;
  softwareVersion: string;
  reporter: Reporter;
  /** Objects in flight at once. */
  concurrency: number;
  dryRun: boolean;
  /** Look up every object in the archive instead of trusting the last snapshot's list. */
  recheck: boolean;
  /** Job records to export (null: no NATS, no records). */
  jobs: JobStore | null;
  /** Set to export the delegate key sealed with this passphrase. */
  key?: { privateKeyHex: string; address: string; passphrase: string };
  signal?: AbortSignal;
}

export interface BackupSummary {
  snapshot: string | null;
  files: number;
  bytes: number;
  /** Files whose content was sent to the archive in this run. */
  uploaded_files: number;
  uploaded_bytes: number;
  /** Files whose content the archive already held. */
  present_files: number;
  /** Files without a recorded digest, read through to learn it. */
  hashed_files: number;
  skipped: { key: string; reason: string }[];
  jobs: number | null;
  dry_run: boolean;
  seconds: number;
}

interface Planned {
  info: BlobInfo;
  sha256: string;
}

/**
 * One snapshot of the node's store (issue 12): content goes to `objects/` by digest, only what
 * the archive lacks is sent, and the manifest is published last. Killed anywhere, a run leaves
 * whole objects and no manifest; the next run finds those objects and does not send them again.
 */
export async function backup(o: BackupOptions): Promise<BackupSummary> {
  const startedAt = new Date();
  await openArchiveFolder(o.archive, !o.dryRun).catch((err) => {
    if (o.dryRun && /holds no backups/.test(String(err))) return;
    throw err;
  });
  const id = newSnapshotId(startedAt, o.nodeId);
  const lock = o.dryRun ? null : await acquireLock(o.archive, 'backup', id);
  try {
    return await snapshot(o, id, startedAt);
  } finally {
    await lock?.release();
  }
}

async function snapshot(o: BackupOptions, id: string, startedAt: Date): Promise<BackupSummary> {
  const previous = await lastManifestOf(o.archive, o.nodeId);
  // With a last snapshot, the listing needs only key, size and time (no sidecar read or HEAD
  // per file): unchanged files take their digest from it, and only the others are looked up.
  const details = previous.size === 0;
  const listing = await listSourceFiles(o.source, { details });
  const held = await heldObjects(o.archive);
  const skipped: BackupSummary['skipped'] = [];
  let hashed = 0;
  const planned = await mapLimit(listing, o.concurrency, async (listed): Promise<Planned | null> => {
    try {
      const info = unchanged(previous, listed) ?? (details ? listed : await o.source.head(listed.key));
      if (!info) return null; // deleted since the listing
      if (info.sha256) return { info, sha256: info.sha256 };
      const measured = await hashObject(o.source, info.key, o.signal);
      if (!measured) return null;
      hashed++;
      return { info: { ...info, size: measured.size }, sha256: measured.sha256 };
    } catch (err) {
      const reason = objectError(err);
      if (reason === null) throw err;
      skipped.push({ key: listed.key, reason });
      o.reporter.event('skipped', { key: listed.key, reason });
      return null;
    }
  });
  const files = planned.filter((p): p is Planned => p !== null);
  const toSend = await missingObjects(o, files, held);
  const sentBytes = [...toSend.values()].reduce((n, p) => n + p.info.size, 0);
  let uploadedFiles = 0;
  let uploadedBytes = 0;
  const failed = new Set<string>();
  if (!o.dryRun) {
    o.reporter.begin('upload', toSend.size, sentBytes);
    await mapLimit([...toSend.values()], o.concurrency, async (p) => {
      const outcome = await copyVerified(
        o.source,
        p.info.key,
        o.archive.store,
        objectKey(o.archive.root, p.sha256),
        {
          sha256: p.sha256,
          size: p.info.size,
          contentType: p.info.contentType,
        },
        o.signal,
      );
      if (outcome.kind === 'copied') {
        uploadedFiles++;
        uploadedBytes += outcome.bytes;
        o.reporter.event('object', {
          action: 'uploaded',
          key: p.info.key,
          sha256: p.sha256,
          size: outcome.bytes,
        });
      } else {
        failed.add(p.sha256);
        const reason =
          outcome.kind === 'missing' ? 'deleted from the store during the backup' : outcome.reason;
        o.reporter.event('skipped', { key: p.info.key, sha256: p.sha256, reason });
      }
      o.reporter.advance(1, p.info.size);
    });
    o.reporter.end();
  }
  const kept = files.filter((p) => {
    if (!failed.has(p.sha256)) return true;
    skipped.push({ key: p.info.key, reason: 'could not be read whole with its recorded sha256' });
    return false;
  });
  const manifestFiles: ManifestFile[] = kept
    .map((p) => ({
      key: p.info.key,
      size: p.info.size,
      sha256: p.sha256,
      content_type: p.info.contentType,
      modified: p.info.modified?.toISOString(),
    }))
    .sort((a, b) => (a.key < b.key ? -1 : 1));
  const jobsEntry = o.jobs ? await storeJobs(o, manifestFiles, held) : undefined;
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    id,
    node_id: o.nodeId,
    software_version: o.softwareVersion,
    source: o.source.displayUrl,
    started_at: startedAt.toISOString(),
    finished_at: new Date().toISOString(),
    files: manifestFiles,
    totals: { files: manifestFiles.length, bytes: manifestFiles.reduce((n, f) => n + f.size, 0) },
    jobs: jobsEntry,
    delegate_key: o.key ? await sealKey(o.key.privateKeyHex, o.key.address, o.key.passphrase) : undefined,
    skipped,
  };
  if (!o.dryRun) await publishManifest(o.archive, manifest);
  return {
    snapshot: o.dryRun ? null : manifest.id,
    files: manifest.totals.files,
    bytes: manifest.totals.bytes,
    uploaded_files: o.dryRun ? toSend.size : uploadedFiles,
    uploaded_bytes: o.dryRun ? sentBytes : uploadedBytes,
    present_files: kept.filter((p) => !toSend.has(p.sha256)).length,
    hashed_files: hashed,
    skipped,
    jobs: jobsEntry ? jobsEntry.count : null,
    dry_run: o.dryRun,
    seconds: (Date.now() - startedAt.getTime()) / 1000,
  };
}

/** The files of this node's last snapshot, by key (empty for its first backup). */
async function lastManifestOf(archive: Archive, nodeId: string): Promise<Map<string, ManifestFile>> {
  const snapshots = await listSnapshots(archive).catch(() => []);
  const base = snapshots.filter((s) => s.node === nodeId).at(-1);
  const manifest = base ? await readManifest(archive, base.id) : null;
  return new Map(manifest?.files.map((f) => [f.key, f]));
}

/** The last snapshot's entry for a file that has not changed since (same key, size and time). */
function unchanged(previous: Map<string, ManifestFile>, info: BlobInfo): BlobInfo | null {
  const f = previous.get(info.key);
  if (!f || f.size !== info.size || f.modified !== info.modified?.toISOString()) return null;
  return { ...info, sha256: f.sha256, contentType: info.contentType ?? f.content_type };
}

/**
 * Size of every object the archive holds, by digest, from one listing of `objects/` (a page per
 * thousand objects instead of a HEAD per file). It is a listing of the archive itself, never a
 * manifest's word: an object deleted from the archive since is seen missing and sent again.
 */
async function heldObjects(archive: Archive): Promise<Map<string, number>> {
  const held = new Map<string, number>();
  for await (const info of listAll(archive.store, `${archive.root}${OBJECTS}`, { details: false })) {
    const sha = shaOfObjectKey(archive.root, info.key);
    if (sha) held.set(sha, info.size);
  }
  return held;
}

/** One entry per digest the archive lacks (`--recheck`: asked object by object, with a HEAD). */
async function missingObjects(
  o: BackupOptions,
  files: Planned[],
  held: Map<string, number>,
): Promise<Map<string, Planned>> {
  const candidates = new Map<string, Planned>();
  for (const p of files) if (o.recheck || held.get(p.sha256) !== p.info.size) candidates.set(p.sha256, p);
  if (!o.recheck) return candidates;
  const present = await mapLimit([...candidates.keys()], Math.max(o.concurrency, 16), async (sha) => {
    const head = await o.archive.store.head(objectKey(o.archive.root, sha));
    return head !== null && head.size === candidates.get(sha)!.info.size;
  });
  [...candidates.keys()].forEach((sha, i) => present[i] && candidates.delete(sha));
  return candidates;
}

async function storeJobs(
  o: BackupOptions,
  files: ManifestFile[],
  held: Map<string, number>,
): Promise<Manifest['jobs']> {
  const exported = await exportJobs(
    o.jobs!,
    files.map((f) => f.key),
  );
  const body = Buffer.from(JSON.stringify(exported));
  const sha256 = createHash('sha256').update(body).digest('hex');
  const key = objectKey(o.archive.root, sha256);
  if (!o.dryRun && held.get(sha256) !== body.length)
    await o.archive.store.put(key, Readable.from([body]), {
      sha256,
      size: body.length,
      contentType: 'application/json',
    });
  return { sha256, size: body.length, count: exported.jobs.length };
}
