import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { BlobInfo, BlobStore } from '../blob';
import { mapLimit } from '../blob/concurrency';
import type { JobStore } from '../jobs/job-store';
import { copyVerified, hashObject, objectError } from './transfer';
import { exportJobs } from './jobs';
import { sealKey } from './key-export';
import { OBJECTS, newSnapshotId, objectKey } from './layout';
import { MANIFEST_FORMAT, MANIFEST_VERSION, type Manifest, type ManifestFile } from './manifest';
import type { Reporter } from './progress';
import { listSourceFiles } from './source';
import { listSnapshots, openArchiveFolder, publishManifest, readManifest } from './snapshots';
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
  const started = Date.now();
  const startedAt = new Date(started);
  await openArchiveFolder(o.archive, !o.dryRun).catch((err) => {
    if (o.dryRun && /holds no backups/.test(String(err))) return;
    throw err;
  });
  const known = await knownObjects(o.archive, o.nodeId);
  const listing = await listSourceFiles(o.source);
  const skipped: BackupSummary['skipped'] = [];
  let hashed = 0;
  const planned = await mapLimit(listing, o.concurrency, async (info): Promise<Planned | null> => {
    const sha256 = info.sha256 ?? known.digestOf(info);
    if (sha256) return { info, sha256 };
    try {
      const measured = await hashObject(o.source, info.key, o.signal);
      if (!measured) return null; // deleted since the listing
      hashed++;
      return { info: { ...info, size: measured.size }, sha256: measured.sha256 };
    } catch (err) {
      const reason = objectError(err);
      if (reason === null) throw err;
      skipped.push({ key: info.key, reason });
      o.reporter.event('skipped', { key: info.key, reason });
      return null;
    }
  });
  const files = planned.filter((p): p is Planned => p !== null);
  const toSend = await missingObjects(o, files, known);
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
  const jobsEntry = o.jobs ? await storeJobs(o, manifestFiles, known) : undefined;
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    id: newSnapshotId(startedAt, o.nodeId),
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
    seconds: (Date.now() - started) / 1000,
  };
}

/** What the archive is known to hold without asking it object by object. */
interface Known {
  /** Digests the newest snapshot names (it was published only after they all existed). */
  has(sha256: string): boolean;
  /** The digest the last snapshot recorded for an unchanged file (same key, size and time). */
  digestOf(info: BlobInfo): string | undefined;
  /** True when the archive holds no objects at all (first backup: nothing to look up). */
  empty: boolean;
}

async function knownObjects(archive: Archive, nodeId: string): Promise<Known> {
  const snapshots = await listSnapshots(archive).catch(() => []);
  const mine = snapshots.filter((s) => s.node === nodeId);
  const base = (mine.length ? mine : snapshots).at(-1);
  const manifest = base ? await readManifest(archive, base.id) : null;
  const digests = new Set(manifest?.files.map((f) => f.sha256));
  const byKey = new Map(manifest?.files.map((f) => [f.key, f]));
  const empty =
    !base && (await archive.store.list(`${archive.root}${OBJECTS}`, { limit: 1 })).items.length === 0;
  return {
    has: (sha) => digests.has(sha),
    digestOf: (info) => {
      const f = byKey.get(info.key);
      return f && f.size === info.size && f.modified === info.modified?.toISOString() ? f.sha256 : undefined;
    },
    empty,
  };
}

/** One entry per digest the archive lacks: a HEAD for each one the last snapshot does not name. */
async function missingObjects(
  o: BackupOptions,
  files: Planned[],
  known: Known,
): Promise<Map<string, Planned>> {
  const candidates = new Map<string, Planned>();
  for (const p of files) if (o.recheck || !known.has(p.sha256)) candidates.set(p.sha256, p);
  if (known.empty) return candidates;
  const present = await mapLimit([...candidates.keys()], Math.max(o.concurrency, 16), async (sha) => {
    const head = await o.archive.store.head(objectKey(o.archive.root, sha));
    return head !== null && head.size === candidates.get(sha)!.info.size;
  });
  [...candidates.keys()].forEach((sha, i) => present[i] && candidates.delete(sha));
  return candidates;
}

async function storeJobs(o: BackupOptions, files: ManifestFile[], known: Known): Promise<Manifest['jobs']> {
  const exported = await exportJobs(
    o.jobs!,
    files.map((f) => f.key),
  );
  const body = Buffer.from(JSON.stringify(exported));
  const sha256 = createHash('sha256').update(body).digest('hex');
  const key = objectKey(o.archive.root, sha256);
  if (!o.dryRun && !known.has(sha256) && !(await o.archive.store.head(key)))
    await o.archive.store.put(key, Readable.from([body]), {
      sha256,
      size: body.length,
      contentType: 'application/json',
    });
  return { sha256, size: body.length, count: exported.jobs.length };
}
