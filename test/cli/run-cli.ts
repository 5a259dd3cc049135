import { execFile } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../../shared/paths';

/** The built CLI, as `npx storage` runs it (package.json `bin`; `npm test` builds first). */
export const CLI = path.join(PROJECT_ROOT, 'dist', 'cli', 'main.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `storage <args>` with pipes (not a terminal): no bars, no colour. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        env: { ...process.env, STORAGE_NODE_URL: '', ...env },
        timeout: timeoutMs,
        maxBuffer: 32 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * Runs `storage <args>` on a pseudo-terminal (util-linux `script`), the way a person sees
 * it: progress bars drawn and redrawn with escape codes. Returns everything the terminal got.
 */
export function runCliOnPty(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 90_000,
): Promise<CliRun> {
  const command = [process.execPath, CLI, ...args].map(shellQuote).join(' ');
  return new Promise((resolve) => {
    execFile(
      'script',
      ['-qefc', command, '/dev/null'],
      {
        env: { ...process.env, STORAGE_NODE_URL: '', COLUMNS: '160', ...env },
        timeout: timeoutMs,
        maxBuffer: 32 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const shellQuote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/**
 * The text of each redraw: the terminal output cut at every escape sequence (cursor moves,
 * line clears) and line break, so each drawn line is one entry.
 */
export function frames(terminal: string): string[] {
  return terminal
    .replace(/\x1b\[[0-9;]*m/g, '') // colours are not redraws
    .split(/\x1b\[[0-9;?]*[A-Za-z]|[\r\n]+/)
    .map((l) => l.trim())
    .filter(Boolean);
}
