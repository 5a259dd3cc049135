#!/usr/bin/env node
/**
 * `storage` — the command-line tool for artists and operators (README "CLI"): upload with
 * progress, watch jobs, fetch files, inspect nodes, ring and placement, check health,
 * diagnose a node's setup, run the archiver. `npx storage --help` lists the commands.
 */
import { Command, CommanderError } from 'commander';
import { packageVersion } from '../shared/paths';
import { CliError, EXIT } from './exit-codes';
import { registerCommands } from './commands';

function program(): Command {
  const root = new Command('storage')
    .description('Storage V2 from the terminal: uploads, jobs, files, nodes, ring, health, doctor, backups')
    .version(packageVersion())
    .enablePositionalOptions()
    .showSuggestionAfterError()
    .exitOverride()
    // Commander's own errors (unknown option, missing argument) become our one line, exit 2.
    .configureOutput({ outputError: () => undefined });
  registerCommands(root);
  root.addHelpText(
    'after',
    `
Exit status: 0 ok · 1 a problem found (unhealthy, disagreement, failed job, bad digest)
  · 2 bad input · 3 node unreachable · 4 the node refused (its code is printed)
  · 5 something needed is not installed · 130 interrupted

Examples:
  storage upload dub.mp3 --template audio
  storage jobs --watch
  storage health --node http://127.0.0.1:9925
  storage doctor`,
  );
  return root;
}

async function main(): Promise<void> {
  try {
    await program().parseAsync(process.argv);
  } catch (err) {
    process.exitCode = fail(err);
  }
}

/** One line on stderr and a meaningful status; never a stack for an expected fault. */
function fail(err: unknown): number {
  if (err instanceof CommanderError) {
    if (err.exitCode === 0) return 0; // --help, --version
    // Commander puts its suggestion ("Did you mean upload?") on a second line: keep one.
    process.stderr.write(`storage: ${err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ')}\n`);
    return EXIT.usage;
  }
  if (err instanceof CliError) {
    process.stderr.write(`storage: ${err.message}\n`);
    return err.exitCode;
  }
  process.stderr.write(
    `storage: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  return EXIT.problem;
}

void main();
