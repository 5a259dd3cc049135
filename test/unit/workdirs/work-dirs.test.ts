import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeWorkDir, removeOrphanWorkDirs, workDirOwner } from '../../../shared/workdirs/work-dirs';
import { tempDir } from '../../harness/temp';

/**
 * A node killed mid-transcode (kill -9) left its work directory — the upload's source, up to
 * the upload limit — in the temp dir for good. Its next start removes its own directories
 * whose process is gone, and nothing else.
 */
describe('work directories', () => {
  const root = tempDir('workdirs');
  afterAll(() => root.remove());
  const me = workDirOwner('0xAbCdEf0123456789aBcDeF0123456789AbCdEf01');
  const other = workDirOwner('0x1111111111111111111111111111111111111111');

  /** The pid of a process that ran and has exited. */
  const deadPid = (): number => {
    const ran = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    return Number(ran.stdout.trim());
  };

  const made = (name: string, content = 'x'): string => {
    const dir = path.join(root.dir, name);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'source'), content);
    return dir;
  };

  test("only this node's directories of processes that are gone are removed", () => {
    expect(me).toBe('abcdef012345');
    const dead = deadPid();
    const orphanJob = made(`sv2-job-${me}-${dead}-cmjobid-Ab12Cd`);
    const orphanPreview = made(`sv2-preview-${me}-${dead}-cmjobid-Zz99Yy`);
    // A restart in place (a container) runs under the same pid: older than this process, gone.
    const predecessor = made(`sv2-job-${me}-${process.pid}-cmolder-Qq11Ww`);
    const past = new Date(Date.now() - 3_600_000);
    fs.utimesSync(predecessor, past, past);
    const live = makeWorkDir('job', me, 'cmlive', root.dir);
    fs.writeFileSync(path.join(live, 'source'), 'in use');
    // Another node's pid may be running in a namespace this process cannot see.
    const othersNode = made(`sv2-job-${other}-${dead}-cmtheirs-Ee55Rr`);
    const unrelated = made(`not-ours-${me}-${dead}-x`);

    const removed = removeOrphanWorkDirs(me, root.dir);

    expect(removed.sort()).toEqual(
      [orphanJob, orphanPreview, predecessor].map((d) => path.basename(d)).sort(),
    );
    for (const gone of [orphanJob, orphanPreview, predecessor]) expect(fs.existsSync(gone)).toBe(false);
    expect(path.basename(live)).toMatch(new RegExp(`^sv2-job-${me}-${process.pid}-cmlive-`));
    expect(fs.readFileSync(path.join(live, 'source'), 'utf8')).toBe('in use');
    expect(fs.existsSync(othersNode)).toBe(true);
    expect(fs.existsSync(unrelated)).toBe(true);
  });

  test('a temp dir that cannot be read removes nothing', () => {
    expect(removeOrphanWorkDirs(me, path.join(root.dir, 'no-such-dir'))).toEqual([]);
  });
});
