import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import readline from 'node:readline';

const children = new Set<ChildProcess>();

// If the launcher itself dies, its detached children must not outlive it.
process.once('exit', () => children.forEach((c) => c.kill('SIGKILL')));

export interface Child {
  name: string;
  process: ChildProcess;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL: a crash, for failure tests. */
  kill(): Promise<void>;
}

/**
 * A child process whose output lines are passed to `onLine` (prefixed by the caller), so
 * a local cluster reads as one log and tests can keep or drop it.
 */
export function spawnChild(
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions & { onLine?: (line: string) => void },
): Child {
  // Own process group: a terminal's Ctrl-C reaches only the launcher, which then stops the
  // children in order (nodes before the NATS servers they need to leave cleanly).
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) readline.createInterface({ input: stream }).on('line', (line) => options.onLine?.(line));
  }
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.once('error', () => resolve('spawn-error'));
  });
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  return {
    name,
    process: child,
    exited,
    async stop(graceMs = 15_000) {
      if (gone()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (gone()) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
