#!/usr/bin/env node
/**
 * `npm run archiver -- backup|restore|verify|list|prune …` and the `storage-archiver` image:
 * the node operator's backup tool (issue 12, DESIGN §8). The work lives in shared/archiver/;
 * this file wires the command line, the signals and the exit code.
 */
import { setMaxListeners } from 'node:events';
import { CommanderError } from 'commander';
import { buildProgram } from '../shared/archiver/cli';
import { argvFromEnv } from '../shared/archiver/env-mode';
import { classify, EXIT } from '../shared/archiver/errors';
import { runCommand } from '../shared/archiver/run';
import { packageVersion } from '../shared/paths';

async function main(): Promise<number> {
  const controller = new AbortController();
  // Every in-flight stream listens on the signal (concurrency × a few): not a leak.
  setMaxListeners(1000, controller.signal);
  // Interrupted, in-flight writes are aborted (the drivers leave nothing) and no manifest is written.
  const stop = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const version = packageVersion();
  const program = buildProgram(version, (command, flags) =>
    runCommand(command, flags, { env: process.env, version, signal: controller.signal }),
  );
  try {
    await program.parseAsync(argvFromEnv(process.argv.slice(2), process.env), { from: 'user' });
    if (program.args.length === 0) {
      process.stderr.write(
        'archiver: no command: give backup, restore, verify, list or prune (or set MODE); --help lists them\n',
      );
      return EXIT.usage;
    }
    return Number(process.exitCode ?? 0);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (controller.signal.aborted) {
      process.stderr.write(
        'archiver: interrupted: nothing half-written is visible; run it again to continue\n',
      );
      return EXIT.interrupted;
    }
    const { exit, line } = classify(err);
    process.stderr.write(`archiver: ${line}\n`);
    return exit;
  }
}

void main().then((code) => process.exit(code));
