import fs from 'node:fs/promises';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import type { BlobStore } from '../blob';
import { mapLimit } from '../blob/concurrency';
import { DigestStream } from '../blob/digest';
import { addressOf, identityFromHex } from '../identity/wallet';
import type { JobStore } from '../jobs/job-store';
import { ArchiverError } from './errors';
import { importJobs, parseJobsExport } from './jobs';
import { openKey } from './key-export';
import { objectKey } from './layout';
import type { Manifest, ManifestFile } from './manifest';
import type { Reporter } from './progress';
import { openArchiveFolder, readManifest, resolveSnapshot } from './snapshots';
import type { Archive } from './stores';
import { copyVerified, hashObject, objectError } from './transfer';

export interface RestoreOptions {
  archive: Archive;
  /** The store to restore into (an empty one, or a running node's). */
  target: BlobStore;
  /** `latest`, an id or a prefix of one. */
  snapshot: string;
  /** Only snapshots of this node when choosing `latest`. */
  node?: string;
  reporter: Reporter;
  concurrency: number;
  dryRun: boolean;
  /** Replace files whose content differs from the snapshot (default: keep them, report them). */
  overwrite: boolean;
  jobs: JobStore | null;
  /** Write the exported delegate key into this data dir (as `delegate.key`). */
  key?: { dataDir: string; passphrase: string };
  signal?: AbortSignal;
}

export interface RestoreSummary {
  snapshot: string;
  files: number;
  bytes: number;
  restored_files: number;
  restored_bytes: number;
  /** Files the store already held with the right digest. */
  present_files: number;
  /** Files the store holds with other content (kept unless --overwrite). */
  differing: string[];
  /** Files whose object the archive lacks, and whose object failed its digest: never written. */
  missing: { key: string; sha256: string }[];
  corrupt: { key: string; sha256: string }[];
  /** Files the store or the archive failed to move (a transient fault: run restore again). */
  failed: { key: string; sha256: string }[];
  jobs_imported: number | null;
  jobs_present: number | null;
  key_restored: string | null;
  dry_run: boolean;
  seconds: number;
}

/**
 * Puts a snapshot's files back (issue 12). Each object streams through a digest check on its
 * way into the store and is committed only when it matches, so a corrupt archive object is
 * reported and never written; the rest are restored and the run ends with exit 5.
 */
export async function restore(o: RestoreOptions): Promise<RestoreSummary> {
  const started = Date.now();
  await openArchiveFolder(o.archive, false);
  const ref = await resolveSnapshot(o.archive, o.snapshot, o.node);
  const manifest = await readManifest(o.archive, ref.id);
  // The key first: a wrong passphrase stops the run before anything is written.
  const keyHex =
    o.key && manifest.delegate_key ? await openKey(manifest.delegate_key, o.key.passphrase) : undefined;
  if (o.key && !manifest.delegate_key)
    throw new ArchiverError(
      'usage',
      `snapshot ${ref.id} holds no delegate key (it was backed up without --include-key)`,
    );
  const differing: string[] = [];
  const todo = (
    await mapLimit(manifest.files, Math.max(o.concurrency, 16), (f) => needsRestore(o, f, differing))
  ).flatMap((need, i) => (need ? [manifest.files[i]] : []));
  const s: RestoreSummary = {
    snapshot: ref.id,
    files: manifest.totals.files,
    bytes: manifest.totals.bytes,
    restored_files: 0,
    restored_bytes: 0,
    present_files: manifest.files.length - todo.length - differing.length,
    differing,
    missing: [],
    corrupt: [],
    failed: [],
    jobs_imported: null,
    jobs_present: null,
    key_restored: null,
    dry_run: o.dryRun,
    seconds: 0,
  };
  if (o.dryRun) {
    s.restored_files = todo.length;
    s.restored_bytes = todo.reduce((n, f) => n + f.size, 0);
  } else {
    await restoreFiles(o, todo, s);
    if (o.jobs && manifest.jobs) await restoreJobs(o, manifest, s);
    if (o.key && keyHex)
      s.key_restored = await writeKey(o.key.dataDir, keyHex, manifest.delegate_key!.address);
  }
  s.seconds = (Date.now() - started) / 1000;
  return s;
}

async function restoreFiles(o: RestoreOptions, todo: ManifestFile[], s: RestoreSummary): Promise<void> {
  o.reporter.begin(
    'restore',
    todo.length,
    todo.reduce((n, f) => n + f.size, 0),
  );
  await mapLimit(todo, o.concurrency, async (f) => {
    const outcome = await copyVerified(
      o.archive.store,
      objectKey(o.archive.root, f.sha256),
      o.target,
      f.key,
      {
        sha256: f.sha256,
        size: f.size,
        contentType: f.content_type,
      },
      o.signal,
    );
    if (outcome.kind === 'copied') {
      s.restored_files++;
      s.restored_bytes += outcome.bytes;
      o.reporter.event('object', { action: 'restored', key: f.key, sha256: f.sha256, size: f.size });
    } else {
      s[outcome.kind].push({ key: f.key, sha256: f.sha256 });
      o.reporter.event(outcome.kind, {
        key: f.key,
        sha256: f.sha256,
        object: objectKey(o.archive.root, f.sha256),
        reason: outcome.kind === 'missing' ? 'not in the archive' : outcome.reason,
      });
    }
    o.reporter.advance(1, f.size);
  });
  o.reporter.end();
}

/** False when the store already holds the file whole; a differing copy is noted and kept. */
async function needsRestore(o: RestoreOptions, f: ManifestFile, differing: string[]): Promise<boolean> {
  const head = await o.target.head(f.key);
  if (!head) return true;
  // A file written without a recorded digest is read through once to learn it.
  const sha256 =
    head.sha256 ?? (head.size === f.size ? (await hashObject(o.target, f.key, o.signal))?.sha256 : undefined);
  if (sha256 === f.sha256 && head.size === f.size) return false;
  if (o.overwrite) return true;
  differing.push(f.key);
  o.reporter.event('differs', { key: f.key, expected_sha256: f.sha256, store_sha256: sha256 ?? null });
  return false;
}

/** The snapshot's job records that KV lacks; a missing or corrupt export is reported like a file. */
async function restoreJobs(o: RestoreOptions, manifest: Manifest, s: RestoreSummary): Promise<void> {
  const entry = manifest.jobs!;
  const what = { key: '(job records)', sha256: entry.sha256 };
  const read = await o.archive.store.get(objectKey(o.archive.root, entry.sha256));
  if (!read) {
    s.missing.push(what);
    o.reporter.event('missing', { ...what, reason: 'not in the archive' });
    return;
  }
  const check = new DigestStream(entry.sha256, entry.size);
  read.body.on('error', (err) => check.destroy(err));
  const body = await text(read.body.pipe(check)).catch((err: unknown) => {
    s.corrupt.push(what);
    o.reporter.event('corrupt', { ...what, reason: objectError(err) ?? String(err) });
    return null;
  });
  if (body === null) return;
  const result = await importJobs(o.jobs!, parseJobsExport(body));
  s.jobs_imported = result.imported;
  s.jobs_present = result.present;
}

/** The key goes where the node reads it (`<data dir>/delegate.key`, 0600), never over another. */
async function writeKey(dataDir: string, hex: string, address: string): Promise<string> {
  const identity = identityFromHex(hex);
  if (addressOf(identity.privateKey) !== address)
    throw new ArchiverError('badArchive', `the exported key does not belong to ${address}`);
  const file = path.join(dataDir, 'delegate.key');
  const existing = await fs.readFile(file, 'utf8').catch(() => null);
  if (existing !== null) {
    if (existing.trim() === hex) return address;
    throw new ArchiverError(
      'usage',
      `${file} already holds another key; move it aside to restore ${address}`,
    );
  }
  await fs.mkdir(dataDir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, `${hex}\n`, { mode: 0o600 });
  await fs.rename(tmp, file);
  return address;
}
