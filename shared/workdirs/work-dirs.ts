import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Scratch directories of transcodes and previews. Each name carries the owning process's pid
 * (`sv2-<kind>-<pid>-<id>-XXXXXX`), so a node started after a `kill -9` — or any other node on
 * the machine — can tell a directory whose owner is gone from one still in use, and remove it:
 * a killed transcode otherwise left its source (up to the upload limit) in /tmp for good.
 */
const PREFIX = 'sv2-';
const NAME = /^sv2-(?:job|preview)-(\d+)-/;

export type WorkKind = 'job' | 'preview';

/** A fresh private directory for one piece of work in the system's temp dir. */
export function makeWorkDir(kind: WorkKind, id: string, root = os.tmpdir()): string {
  return fs.mkdtempSync(path.join(root, `${PREFIX}${kind}-${process.pid}-${id}-`));
}

/**
 * Removes the work directories whose owning process no longer runs; returns their names.
 * Directories of live processes (this one included) and names of other forms are left alone.
 */
export function removeOrphanWorkDirs(root = os.tmpdir()): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = Number(NAME.exec(name)?.[1]);
    if (!pid || processRuns(pid)) continue;
    try {
      fs.rmSync(path.join(root, name), { recursive: true, force: true });
      removed.push(name);
    } catch {
      // Another node removed it first, or it is not ours to remove: either way, not our concern.
    }
  }
  return removed;
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
