import os from 'node:os';
import path from 'node:path';
import type { BlobStore } from '../blob';
import { DEFAULT_STORAGE_URL } from '../blob';
import type { JobStore } from '../jobs/job-store';
import { backup } from './backup';
import { archiveUrlFromEnv } from './env-mode';
import { ArchiverError, EXIT } from './errors';
import { connectJobs } from './jobs';
import { readNodeKey, readPassphrase } from './node-identity';
import { createReporter, type Reporter } from './progress';
import { prune } from './prune';
import { restore } from './restore';
import { listSnapshots, openArchiveFolder, readManifest } from './snapshots';
import { openArchive, openNodeStore, type Archive } from './stores';
import { verify } from './verify';

/** What every command gets: the environment, the version to record, and the run's abort signal. */
export interface RunContext {
  env: NodeJS.ProcessEnv;
  version: string;
  signal: AbortSignal;
}

type Flags = Record<string, any>;

/** Runs one command and answers its exit code; the stores and NATS are closed whatever happens. */
export async function runCommand(command: string, flags: Flags, ctx: RunContext): Promise<number> {
  const reporter = createReporter({ json: flags.json ?? !(process.stdout.isTTY && process.stderr.isTTY) });
  const open: { close(): Promise<void> }[] = [];
  const track = <T extends { close(): Promise<void> }>(x: T): T => (open.push(x), x);
  try {
    switch (command) {
      case 'backup':
        return await runBackup(flags, ctx, reporter, track);
      case 'restore':
        return await runRestore(flags, ctx, reporter, track);
      case 'verify':
        return await runVerify(flags, ctx, reporter, track);
      case 'prune':
        return await runPrune(flags, ctx, reporter, track);
      default:
        return await runList(flags, ctx, reporter, track);
    }
  } finally {
    await Promise.allSettled(open.reverse().map((x) => x.close()));
  }
}

type Track = <T extends { close(): Promise<void> }>(x: T) => T;

function archiveUrl(flags: Flags, ctx: RunContext, ...names: string[]): string {
  for (const n of names) if (flags[n]) return flags[n] as string;
  return archiveUrlFromEnv(ctx.env) ?? '';
}

function storeUrl(flags: Flags, name: string, ctx: RunContext): string {
  return (flags[name] as string | undefined) || ctx.env.AUDIUS_STORAGE_DRIVER_URL || DEFAULT_STORAGE_URL;
}

async function archiveOf(url: string, ctx: RunContext, track: Track): Promise<Archive> {
  const archive = await openArchive(url, ctx.env);
  track(archive.store);
  return archive;
}

async function jobsOf(flags: Flags, reporter: Reporter, track: Track): Promise<JobStore | null> {
  if (flags.jobs === false) return null;
  if (!flags.nats) {
    reporter.event('note', {
      message:
        'job records left out: NATS is not configured (set NATS_SERVER_URL or --nats, or pass --no-jobs)',
    });
    return null;
  }
  const conn = track(
    await connectJobs(
      String(flags.nats)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  );
  return conn.jobs;
}

function dataDir(flags: Flags): string {
  return (flags.dataDir as string | undefined) || path.join(os.homedir(), '.audius-storage');
}

async function runBackup(flags: Flags, ctx: RunContext, reporter: Reporter, track: Track): Promise<number> {
  const archive = await archiveOf(archiveUrl(flags, ctx, 'to', 'archive'), ctx, track);
  const source: BlobStore = track(await openNodeStore(storeUrl(flags, 'from', ctx), ctx.env, false));
  const nodeKey = readNodeKey(ctx.env, dataDir(flags));
  let key;
  if (flags.includeKey) {
    if (!nodeKey)
      throw new ArchiverError(
        'usage',
        '--include-key: no delegate key found (AUDIUS_DELEGATE_PRIVATE_KEY or <data dir>/delegate.key)',
      );
    key = {
      privateKeyHex: nodeKey.hex,
      address: nodeKey.address,
      passphrase: readPassphrase(ctx.env, flags.passphraseFile),
    };
    if (!key.passphrase)
      throw new ArchiverError(
        'usage',
        '--include-key needs a passphrase: set ARCHIVER_PASSPHRASE or pass --passphrase-file',
      );
  }
  const summary = await backup({
    archive,
    source,
    nodeId: (flags.nodeId as string | undefined) ?? nodeKey?.address ?? 'unknown',
    softwareVersion: ctx.version,
    reporter,
    concurrency: flags.concurrency,
    dryRun: !!flags.dryRun,
    recheck: !!flags.recheck,
    jobs: await jobsOf(flags, reporter, track),
    key,
    signal: ctx.signal,
  });
  reporter.summary({ command: 'backup', archive: archive.display, ...summary });
  return summary.skipped.length ? EXIT.integrity : EXIT.ok;
}

async function runRestore(flags: Flags, ctx: RunContext, reporter: Reporter, track: Track): Promise<number> {
  const archive = await archiveOf(archiveUrl(flags, ctx, 'from', 'archive'), ctx, track);
  const target = track(await openNodeStore(storeUrl(flags, 'to', ctx), ctx.env, !flags.dryRun));
  const passphrase = flags.restoreKey ? readPassphrase(ctx.env, flags.passphraseFile) : '';
  const summary = await restore({
    archive,
    target,
    snapshot: flags.snapshot,
    node: flags.node,
    reporter,
    concurrency: flags.concurrency,
    dryRun: !!flags.dryRun,
    overwrite: !!flags.overwrite,
    jobs: await jobsOf(flags, reporter, track),
    key: flags.restoreKey ? { dataDir: dataDir(flags), passphrase } : undefined,
    signal: ctx.signal,
  });
  reporter.summary({ command: 'restore', archive: archive.display, store: target.displayUrl, ...summary });
  const bad = summary.missing.length + summary.corrupt.length + summary.failed.length;
  return bad ? EXIT.integrity : EXIT.ok;
}

async function runVerify(flags: Flags, ctx: RunContext, reporter: Reporter, track: Track): Promise<number> {
  const archive = await archiveOf(archiveUrl(flags, ctx, 'archive', 'from'), ctx, track);
  const summary = await verify({
    archive,
    snapshot: flags.snapshot,
    sample: flags.sample,
    reporter,
    concurrency: flags.concurrency,
    signal: ctx.signal,
  });
  reporter.summary({ command: 'verify', archive: archive.display, ...summary });
  return summary.missing.length || summary.corrupt.length ? EXIT.integrity : EXIT.ok;
}

async function runPrune(flags: Flags, ctx: RunContext, reporter: Reporter, track: Track): Promise<number> {
  const archive = await archiveOf(archiveUrl(flags, ctx, 'archive', 'from'), ctx, track);
  const summary = await prune({
    archive,
    keepLast: flags.keepLast,
    keepWithinMs: flags.keepWithin,
    node: flags.node,
    graceMs: flags.grace,
    reporter,
    dryRun: !!flags.dryRun,
  });
  reporter.summary({ command: 'prune', archive: archive.display, ...summary });
  return EXIT.ok;
}

/** One line per snapshot (JSON, or a table on a terminal); a corrupt manifest is shown and exits 4. */
async function runList(flags: Flags, ctx: RunContext, reporter: Reporter, track: Track): Promise<number> {
  const archive = await archiveOf(archiveUrl(flags, ctx, 'archive', 'from'), ctx, track);
  await openArchiveFolder(archive, false);
  let exit: number = EXIT.ok;
  const refs = await listSnapshots(archive);
  for (const ref of refs) {
    try {
      const m = await readManifest(archive, ref.id);
      reporter.event('snapshot', {
        id: ref.id,
        node: m.node_id,
        time: m.started_at,
        files: m.totals.files,
        bytes: m.totals.bytes,
        jobs: m.jobs?.count ?? null,
        key: m.delegate_key ? 'sealed' : null,
        software_version: m.software_version,
      });
    } catch (err) {
      if (!(err instanceof ArchiverError)) throw err;
      exit = EXIT[err.exit];
      reporter.event('snapshot', {
        id: ref.id,
        node: ref.node,
        time: ref.time.toISOString(),
        error: err.message,
      });
    }
  }
  reporter.summary({ command: 'list', archive: archive.display, snapshots: refs.length });
  return exit;
}
