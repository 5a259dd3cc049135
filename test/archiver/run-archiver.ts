import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

/** The built CLI, as the `storage` CLI and the container run it (`npm test` builds first). */
export const ARCHIVER = path.resolve(__dirname, '../../dist/bin/archiver.js');

export interface ArchiverRun {
  code: number | null;
  /** stdout's JSON lines. */
  events: any[];
  stderr: string;
  summary: any;
}

/** Runs `archiver <args>` with `env` on top of a clean environment (no inherited cloud credentials). */
export function runArchiver(
  args: string[],
  env: Record<string, string | undefined> = {},
  onEvent?: (event: any, child: ChildProcess) => void,
): Promise<ArchiverRun> {
  const child = spawn(process.execPath, [ARCHIVER, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ARCHIVER_JSON: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: any[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    const event = JSON.parse(line);
    events.push(event);
    onEvent?.(event, child);
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) =>
      resolve({ code, events, stderr, summary: events.find((e) => e.event === 'summary') }),
    );
  });
}
