import os from 'node:os';
import { Readable } from 'node:stream';
import { ArchiverError } from './errors';
import { LOCKS } from './layout';
import { listAll } from './snapshots';
import type { Archive } from './stores';

export type LockKind = 'backup' | 'prune';

/** A lock is rewritten this often while its run lasts… */
const REFRESH_MS = 60_000;
/** …and one not rewritten for this long belongs to a run that was killed: it is ignored. */
export const LOCK_STALE_MS = 5 * 60_000;

export interface Lock {
  release(): Promise<void>;
}

/**
 * Backup and prune exclude each other (issue 12): a backup sends only what its listing of the
 * archive lacks and then names the rest in its manifest, so a prune deleting an object between
 * that listing and the manifest would leave a snapshot naming lost content. Each run writes
 * `locks/<kind>-<id>.json` first and then looks for a fresh lock of the other kind: of two runs
 * that overlap, the later to write its lock sees the earlier's, so at least one of them stops
 * (with exit 7) before doing anything. Backups do not exclude each other.
 */
export async function acquireLock(archive: Archive, kind: LockKind, id: string): Promise<Lock> {
  const key = `${archive.root}${LOCKS}${kind}-${id}.json`;
  const write = async () => {
    const body = Buffer.from(
      JSON.stringify({ kind, id, host: os.hostname(), pid: process.pid, at: new Date().toISOString() }),
    );
    await archive.store.put(key, Readable.from([body]), {
      contentType: 'application/json',
      size: body.length,
    });
  };
  await write();
  const other = kind === 'backup' ? 'prune' : 'backup';
  const running = await freshLocks(archive, other);
  if (running.length > 0) {
    await archive.store.delete(key);
    throw new ArchiverError(
      'busy',
      `${archive.display}: a ${other} is running (${running[0]}); ${kind} again once it is done (the lock of a killed run is ignored ${LOCK_STALE_MS / 60_000} min after its last refresh)`,
    );
  }
  const timer = setInterval(() => void write().catch(() => undefined), REFRESH_MS);
  timer.unref();
  return {
    async release() {
      clearInterval(timer);
      await archive.store.delete(key);
    },
  };
}

/** Keys of the `kind` locks refreshed within LOCK_STALE_MS (by the store's own clock of the write). */
async function freshLocks(archive: Archive, kind: LockKind): Promise<string[]> {
  const fresh: string[] = [];
  for await (const info of listAll(archive.store, `${archive.root}${LOCKS}${kind}-`, { details: false })) {
    if (Date.now() - (info.modified?.getTime() ?? 0) < LOCK_STALE_MS) fresh.push(info.key);
  }
  return fresh;
}
