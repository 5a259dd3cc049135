import { randomInt } from 'node:crypto';
import { mapLimit } from '../blob/concurrency';
import { objectKey } from './layout';
import type { Manifest } from './manifest';
import type { Reporter } from './progress';
import { listSnapshots, openArchiveFolder, readManifest, resolveSnapshot } from './snapshots';
import type { Archive } from './stores';
import { hashObject, objectError } from './transfer';

export interface VerifyOptions {
  archive: Archive;
  /** One snapshot (`latest`, an id or a prefix); all of them when absent. */
  snapshot?: string;
  /** Fraction of the objects to re-hash, 0 < f ≤ 1 (1: all). */
  sample: number;
  reporter: Reporter;
  concurrency: number;
  signal?: AbortSignal;
}

export interface Problem {
  object: string;
  sha256: string;
  /** Files (and snapshots) that name this object. */
  keys: string[];
  snapshots: string[];
  reason: string;
}

export interface VerifySummary {
  snapshots: number;
  objects: number;
  checked_objects: number;
  checked_bytes: number;
  missing: Problem[];
  corrupt: Problem[];
  seconds: number;
}

interface Wanted {
  sha256: string;
  size: number;
  keys: Set<string>;
  snapshots: Set<string>;
}

/**
 * Re-reads the archive's objects and re-hashes them (issue 12), all or a random sample, and
 * names every object that is missing or whose bytes no longer match its name, with the files
 * and snapshots that need it. Reading a manifest that is not whole ends the run (exit 4).
 */
export async function verify(o: VerifyOptions): Promise<VerifySummary> {
  const started = Date.now();
  await openArchiveFolder(o.archive, false);
  const ids = o.snapshot
    ? [(await resolveSnapshot(o.archive, o.snapshot)).id]
    : (await listSnapshots(o.archive)).map((s) => s.id);
  const wanted = new Map<string, Wanted>();
  for (const id of ids) collect(wanted, await readManifest(o.archive, id));
  const all = [...wanted.values()];
  const chosen = o.sample >= 1 ? all : sample(all, Math.max(1, Math.round(all.length * o.sample)));
  const s: VerifySummary = {
    snapshots: ids.length,
    objects: all.length,
    checked_objects: 0,
    checked_bytes: 0,
    missing: [],
    corrupt: [],
    seconds: 0,
  };
  o.reporter.begin(
    'verify',
    chosen.length,
    chosen.reduce((n, w) => n + w.size, 0),
  );
  await mapLimit(chosen, o.concurrency, async (w) => {
    const key = objectKey(o.archive.root, w.sha256);
    const measured = await hashObject(o.archive.store, key, o.signal).catch((err) => {
      const reason = objectError(err);
      if (reason === null) throw err;
      return { sha256: `unreadable: ${reason}`, size: -1 };
    });
    s.checked_objects++;
    if (!measured || measured.sha256 !== w.sha256 || measured.size !== w.size) {
      const reason = !measured
        ? 'missing'
        : `content is ${measured.size} bytes with sha256 ${measured.sha256}, expected ${w.size} bytes`;
      const problem = {
        object: key,
        sha256: w.sha256,
        keys: [...w.keys],
        snapshots: [...w.snapshots],
        reason,
      };
      (measured ? s.corrupt : s.missing).push(problem);
      o.reporter.event(measured ? 'corrupt' : 'missing', { ...problem });
    } else {
      s.checked_bytes += measured.size;
    }
    o.reporter.advance(1, w.size);
  });
  o.reporter.end();
  s.seconds = (Date.now() - started) / 1000;
  return s;
}

function collect(wanted: Map<string, Wanted>, manifest: Manifest): void {
  const add = (sha256: string, size: number, key: string) => {
    let w = wanted.get(sha256);
    if (!w) wanted.set(sha256, (w = { sha256, size, keys: new Set(), snapshots: new Set() }));
    w.keys.add(key);
    w.snapshots.add(manifest.id);
  };
  for (const f of manifest.files) add(f.sha256, f.size, f.key);
  if (manifest.jobs) add(manifest.jobs.sha256, manifest.jobs.size, '(job records)');
}

/** `count` distinct items picked uniformly (partial Fisher–Yates). */
function sample<T>(items: T[], count: number): T[] {
  const pool = [...items];
  for (let i = 0; i < count && i < pool.length - 1; i++) {
    const j = randomInt(i, pool.length);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, count);
}
