import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { PROJECT_ROOT } from '../../shared/paths';
import { runCli, type CliRun } from './run-cli';

const ARCHIVER = path.join(PROJECT_ROOT, 'dist', 'bin', 'archiver.js');

function runArchiver(args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [ARCHIVER, ...args], (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

/** `storage backup|restore|verify|snapshots|prune …` is the archiver (issue 12) with the same arguments. */
describe('storage <archiver command>', () => {
  test.each([
    [['snapshots', '--help']],
    [['backup', '--no-such-flag']],
    [['verify', '--archive', 'file:///nonexistent-storage-cli-test', '--json']],
  ])('%j answers exactly as dist/bin/archiver.js does', async (args) => {
    if (!fs.existsSync(ARCHIVER)) {
      const run = await runCli(args);
      expect(run.code).toBe(5);
      expect(run.stderr).toBe(
        `storage: the archiver is not built: ${ARCHIVER} is missing (run npm run build)\n`,
      );
      return;
    }
    const [viaCli, direct] = await Promise.all([runCli(args), runArchiver(args)]);
    expect(viaCli).toEqual(direct);
  });
});
