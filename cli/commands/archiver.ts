import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { CODE_ROOT } from '../../shared/paths';
import { CliError, EXIT } from '../exit-codes';

/** The archiver's commands (README "Backups"): `storage <verb> …` runs `dist/bin/archiver.js <verb> …`. */
const VERBS = {
  backup: 'copy every stored file and job record to a blob URL (incremental, with a manifest)',
  restore: 'restore a snapshot into a node, verified',
  verify: 'check a snapshot against its manifest',
  snapshots: 'list the snapshots at a blob URL',
  prune: 'delete old snapshots',
} as const;

export function registerArchiver(program: Command): void {
  for (const [verb, description] of Object.entries(VERBS)) {
    program
      .command(verb)
      .description(`${description} (runs the archiver; \`storage ${verb} --help\` shows its flags)`)
      .helpOption(false)
      .allowUnknownOption()
      .passThroughOptions()
      .allowExcessArguments()
      .argument('[args...]', 'passed to the archiver unchanged')
      .action(async (args: string[]) => {
        process.exitCode = await runArchiver(verb, args);
      });
  }
}

/** The archiver as `npm run build` leaves it (built from bin/archiver.ts). */
export function archiverPath(): string {
  return path.join(CODE_ROOT, 'bin', 'archiver.js');
}

function runArchiver(verb: string, args: string[]): Promise<number> {
  const script = archiverPath();
  if (!fs.existsSync(script)) {
    throw new CliError(EXIT.missing, `the archiver is not built: ${script} is missing (run npm run build)`);
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, verb, ...args], { stdio: 'inherit' });
    // Ctrl-C reaches the archiver through the terminal; this process only waits for it.
    const ignore = () => undefined;
    process.on('SIGINT', ignore);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', ignore);
      resolve(code ?? (signal === 'SIGINT' ? EXIT.interrupted : EXIT.problem));
    });
  });
}
