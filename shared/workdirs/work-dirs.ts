import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Scratch directories of transcodes and previews. Each name carries the owning node (its
 * address, shortened) and process (`sv2-<kind>-<node>-<pid>-<id>-XXXXXX`), so a node started
 * after a `kill -9` can tell its own directories whose process is gone from those still in use,
 * and remove them: a killed transcode otherwise left its source (up to the upload limit) in
 * the temp dir for good. A node touches only its own: another node's pids may live in a pid
 * namespace this one cannot see (containers sharing a temp dir), where a pid that is not
 * running here may well be running there.
 */
const NAME = /^sv2-(?:job|preview)-([0-9a-f]+)-(\d+)-/;

export type WorkKind = 'job' | 'preview';

/** The node part of a work directory's name: enough of the address to tell nodes apart. */
export function workDirOwner(address: string): string {
  return address.toLowerCase().replace(/^0x/, '').slice(0, 12);
}

/** A fresh private directory for one piece of work in the system's temp dir. */
export function makeWorkDir(kind: WorkKind, owner: string, id: string, root = os.tmpdir()): string {
  return fs.mkdtempSync(path.join(root, `sv2-${kind}-${owner}-${process.pid}-${id}-`));
}

/**
 * Removes `owner`'s work directories whose process no longer runs; returns their names.
 * Directories of live processes (this one included), of other nodes and of other names stay.
 */
export function removeOrphanWorkDirs(owner: string, root = os.tmpdir()): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = NAME.exec(name);
    const pid = Number(match?.[2]);
    if (match?.[1] !== owner || !pid || ownerRuns(pid, path.join(root, name))) continue;
    try {
      fs.rmSync(path.join(root, name), { recursive: true, force: true });
      removed.push(name);
    } catch {
      // Not removable by this user: left as it was, as before this clean-up existed.
    }
  }
  return removed;
}

/** When this process started (ms): a directory of our own pid older than that is a predecessor's. */
const STARTED_AT = Date.now() - process.uptime() * 1000;

/**
 * Whether the process that made `dir` still runs. Our own pid is ours only for directories
 * made since we started: a container restarted in place runs its node under the same pid.
 */
function ownerRuns(pid: number, dir: string): boolean {
  if (pid !== process.pid) return processRuns(pid);
  try {
    return fs.statSync(dir).mtimeMs >= STARTED_AT;
  } catch {
    return true;
  }
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
