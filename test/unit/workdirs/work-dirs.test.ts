import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeWorkDir, removeOrphanWorkDirs } from '../../../shared/workdirs/work-dirs';
import { tempDir } from '../../harness/temp';

/**
 * A node killed mid-transcode (kill -9) left its work directory — the upload's source, up to
 * the upload limit — in the temp dir for good. A later start removes the directories whose
 * owning process is gone, and only those.
 */
describe('work directories', () => {
  const root = tempDir('workdirs');
  afterAll(() => root.remove());

  /** The pid of a process that ran and has exited. */
  const deadPid = (): number => {
    const ran = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    return Number(ran.stdout.trim());
  };

  test("a dead process's directories are removed; a live one's, and other names, are kept", () => {
    const dead = deadPid();
    const orphanJob = path.join(root.dir, `sv2-job-${dead}-cmjobid-Ab12Cd`);
    const orphanPreview = path.join(root.dir, `sv2-preview-${dead}-cmjobid-Zz99Yy`);
    for (const dir of [orphanJob, orphanPreview]) {
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'source'), Buffer.alloc(1024, 1));
    }
    const mine = makeWorkDir('job', 'cmlive', root.dir);
    fs.writeFileSync(path.join(mine, 'source'), 'in use');
    const other = path.join(root.dir, 'sv2-somethingelse-1-x');
    fs.mkdirSync(other);
    const unrelated = path.join(root.dir, `not-ours-${dead}`);
    fs.mkdirSync(unrelated);

    const removed = removeOrphanWorkDirs(root.dir);

    expect(removed.sort()).toEqual([path.basename(orphanJob), path.basename(orphanPreview)].sort());
    expect(fs.existsSync(orphanJob)).toBe(false);
    expect(fs.existsSync(orphanPreview)).toBe(false);
    expect(fs.readFileSync(path.join(mine, 'source'), 'utf8')).toBe('in use');
    expect(path.basename(mine)).toMatch(new RegExp(`^sv2-job-${process.pid}-cmlive-`));
    expect(fs.existsSync(other)).toBe(true);
    expect(fs.existsSync(unrelated)).toBe(true);
  });

  test('a temp dir that cannot be read removes nothing', () => {
    expect(removeOrphanWorkDirs(path.join(root.dir, 'no-such-dir'))).toEqual([]);
  });
});
