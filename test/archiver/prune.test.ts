import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { openFileStore } from '../../shared/blob/file-store';
import { parseSnapshotId } from '../../shared/archiver/layout';
import type { Reporter } from '../../shared/archiver/progress';
import { prune } from '../../shared/archiver/prune';
import { openArchive } from '../../shared/archiver/stores';
import { tempDir } from '../harness/temp';
import { runArchiver } from './run-archiver';

/**
 * PRUNE by retention (issue 12), on a file store and a file archive, each test with its own. Three
 * snapshots share file A; B is only in the first, C only in the second, D only in the third, so
 * what a prune may delete is known exactly (by digest, read back from the archive's folder).
 */
describe('archiver prune', () => {
  const work = tempDir('archiver-prune');
  let made = 0;

  afterAll(() => work.remove());

  interface History {
    archive: string;
    dir: string;
    store: string;
    ids: string[];
    sha: Record<'A' | 'B' | 'C' | 'D', string>;
    size: Record<'A' | 'B' | 'C' | 'D', number>;
  }

  async function threeSnapshots(): Promise<History> {
    const base = path.join(work.dir, `h${++made}`);
    const store = path.join(base, 'store');
    const dir = path.join(base, 'archive');
    const files = await openFileStore(store);
    const bytes = { A: randomBytes(3000), B: randomBytes(2000), C: randomBytes(1500), D: randomBytes(1000) };
    const keyOf = (name: string) => `0_abc/${name.repeat(22)}abc_150.jpg`;
    const ids: string[] = [];
    const step = async (add: 'A' | 'B' | 'C' | 'D', drop?: 'B' | 'C') => {
      if (drop) await files.delete(keyOf(drop));
      await files.put(keyOf(add), Readable.from([bytes[add]]));
      ids.push(await backup(`file://${dir}`, store));
    };
    await files.put(keyOf('A'), Readable.from([bytes.A]));
    await step('B');
    await step('C', 'B');
    await step('D', 'C');
    const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    return {
      archive: `file://${dir}`,
      dir,
      store,
      ids,
      sha: { A: digest(bytes.A), B: digest(bytes.B), C: digest(bytes.C), D: digest(bytes.D) },
      size: { A: 3000, B: 2000, C: 1500, D: 1000 },
    };
  }

  async function backup(archive: string, store: string): Promise<string> {
    const run = await runArchiver(['backup', '--to', archive, '--no-jobs'], {
      storage_driver_url: `file://${store}`,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return run.summary.snapshot;
  }

  test('keep-last: a dry run lists and deletes nothing; the run removes the old manifests and only the content no kept snapshot names', async () => {
    const h = await threeSnapshots();
    const before = objects(h.dir);
    expect(before).toEqual(new Set(Object.values(h.sha)));

    const dry = await runArchiver([
      'prune',
      '--archive',
      h.archive,
      '--keep-last',
      '1',
      '--grace',
      '0s',
      '--dry-run',
    ]);
    expect(dry.code).toBe(0);
    expect(dry.summary).toMatchObject({
      kept: [h.ids[2]],
      removed: [h.ids[0], h.ids[1]],
      deleted_objects: 2,
      deleted_bytes: h.size.B + h.size.C,
      dry_run: true,
    });
    expect(dry.events.filter((e) => e.event === 'remove').map((e) => e.snapshot)).toEqual(h.ids.slice(0, 2));
    expect(
      dry.events
        .filter((e) => e.event === 'delete')
        .map((e) => e.sha256)
        .sort(),
    ).toEqual([h.sha.B, h.sha.C].sort());
    expect(objects(h.dir)).toEqual(before);
    expect(snapshots(h.dir)).toEqual(h.ids);

    const run = await runArchiver(['prune', '--archive', h.archive, '--keep-last', '2', '--grace', '0s']);
    expect(run.code).toBe(0);
    expect(run.summary).toMatchObject({ removed: [h.ids[0]], deleted_objects: 1, deleted_bytes: h.size.B });
    expect(snapshots(h.dir)).toEqual(h.ids.slice(1));
    expect(objects(h.dir)).toEqual(new Set([h.sha.A, h.sha.C, h.sha.D]));
    expect(fs.readdirSync(path.join(h.dir, 'locks'))).toEqual([]); // released
    // What is left is whole: every object the remaining snapshots name is there and intact.
    const verify = await runArchiver(['verify', '--archive', h.archive]);
    expect(verify.code).toBe(0);
    expect(verify.summary).toMatchObject({ missing: [], corrupt: [] });
  }, 120_000);

  test('keep-within (in process, with the clock moved on): the young ones stay, and keep-last still keeps the newest', async () => {
    const h = await threeSnapshots();
    const archive = await openArchive(h.archive, {});
    const at = (id: string) => parseSnapshotId(id)!.time.getTime();
    const hour = 3_600_000;
    try {
      const young = await prune({
        archive,
        keepWithinMs: hour,
        graceMs: 0,
        reporter: silent,
        dryRun: false,
        now: new Date(at(h.ids[1]) + hour),
      });
      expect(young).toMatchObject({ removed: [h.ids[0]], deleted_objects: 1 });
      expect(objects(h.dir)).toEqual(new Set([h.sha.A, h.sha.C, h.sha.D]));

      const later = await prune({
        archive,
        keepWithinMs: hour,
        keepLast: 1,
        graceMs: 0,
        reporter: silent,
        dryRun: false,
        now: new Date(at(h.ids[2]) + 2 * hour),
      });
      expect(later).toMatchObject({ kept: [h.ids[2]], removed: [h.ids[1]], deleted_objects: 1 });
      expect(snapshots(h.dir)).toEqual([h.ids[2]]);
      expect(objects(h.dir)).toEqual(new Set([h.sha.A, h.sha.D]));
    } finally {
      await archive.store.close();
    }
  }, 120_000);

  test('content no snapshot names yet (a backup in flight, or killed) stays within the grace', async () => {
    const h = await threeSnapshots();
    // What a backup has sent before publishing its manifest: a whole object, named by nothing.
    const orphan = randomBytes(500);
    const orphanSha = createHash('sha256').update(orphan).digest('hex');
    const archiveStore = await openFileStore(h.dir);
    await archiveStore.put(`objects/${orphanSha.slice(0, 2)}/${orphanSha}`, Readable.from([orphan]));

    const run = await runArchiver(['prune', '--archive', h.archive, '--keep-last', '1']);
    expect(run.code).toBe(0);
    expect(run.summary).toMatchObject({ removed: h.ids.slice(0, 2), deleted_objects: 0 });
    expect(objects(h.dir)).toEqual(new Set([...Object.values(h.sha), orphanSha]));

    // Past the grace they are garbage: the pruned snapshots' content and the orphan go, A and D stay.
    const archive = await openArchive(h.archive, {});
    try {
      const later = await prune({
        archive,
        keepLast: 1,
        graceMs: 3_600_000,
        reporter: silent,
        dryRun: false,
        now: new Date(Date.now() + 2 * 3_600_000),
      });
      expect(later.deleted_objects).toBe(3);
    } finally {
      await archive.store.close();
    }
    expect(objects(h.dir)).toEqual(new Set([h.sha.A, h.sha.D]));
  }, 120_000);

  test('a prune while a backup runs stops with exit 7 and removes nothing; the backup completes whole', async () => {
    const h = await threeSnapshots();
    const files = await openFileStore(h.store);
    for (let i = 0; i < 10; i++)
      await files.put(`0_new/${String(i).repeat(22)}new_150.jpg`, Readable.from([randomBytes(700)]));
    const before = objects(h.dir);

    // The backup is paused (SIGSTOP) after its first upload, so the prune meets it mid-run.
    let pruned: ReturnType<typeof runArchiver> | undefined;
    const running = await runArchiver(
      ['backup', '--to', h.archive, '--no-jobs', '--concurrency', '1'],
      { storage_driver_url: `file://${h.store}` },
      (e, child) => {
        if (e.event !== 'object' || pruned) return;
        child.kill('SIGSTOP');
        pruned = runArchiver(['prune', '--archive', h.archive, '--keep-last', '1', '--grace', '0s']).finally(
          () => child.kill('SIGCONT'),
        );
      },
    );
    expect(pruned).toBeDefined();
    const prunedRun = await pruned!;
    expect(prunedRun.code).toBe(7);
    expect(prunedRun.stderr).toMatch(/a backup is running/);
    expect(running.code).toBe(0);
    expect(snapshots(h.dir)).toEqual([...h.ids, running.summary.snapshot]);
    for (const sha of before) expect(objects(h.dir)).toContain(sha);
    const verify = await runArchiver(['verify', '--archive', h.archive]);
    expect(verify.code).toBe(0);

    // And the other way round: a fresh prune lock keeps a backup from starting.
    const lock = path.join(h.dir, 'locks', 'prune-x.json');
    fs.writeFileSync(lock, '{}');
    const blocked = await runArchiver(['backup', '--to', h.archive, '--no-jobs'], {
      storage_driver_url: `file://${h.store}`,
    });
    expect(blocked.code).toBe(7);
    expect(blocked.stderr).toMatch(/a prune is running/);
    expect(snapshots(h.dir)).toEqual([...h.ids, running.summary.snapshot]);
  }, 120_000);
});

const silent: Reporter = { begin() {}, advance() {}, event() {}, end() {}, summary() {} };

/** Digests of the objects in a file archive's folder. */
function objects(dir: string): Set<string> {
  const root = path.join(dir, 'objects');
  return new Set(
    fs
      .readdirSync(root)
      .filter((d) => !d.startsWith('.'))
      .flatMap((d) => fs.readdirSync(path.join(root, d))),
  );
}

/** Snapshot ids in a file archive, oldest first. */
function snapshots(dir: string): string[] {
  return fs
    .readdirSync(path.join(dir, 'snapshots'))
    .filter((n) => n.endsWith('.json'))
    .map((n) => n.slice(0, -'.json'.length))
    .sort();
}
