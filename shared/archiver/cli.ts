import { Command, InvalidArgumentError, Option } from 'commander';
import { EXIT } from './errors';

/**
 * The archiver's command line. The `storage` CLI (#17) runs `dist/bin/archiver.js` with these
 * same flags, so they are a contract: add, never rename. Every flag also has an environment
 * form (the container's way), shown in `--help`.
 */
export interface CommonFlags {
  json?: boolean;
  concurrency: number;
  nats?: string;
  jobs: boolean;
}

export type Handler = (command: string, flags: Record<string, unknown>) => Promise<number>;

const EXIT_HELP = `
Exit codes:
${Object.entries(EXIT)
  .map(([name, code]) => `  ${String(code).padStart(3)}  ${name}`)
  .join('\n')}

Environment form (the container's): MODE=BACKUP|RESTORE|VERIFY|LIST|PRUNE picks the command when
none is given; ARCHIVE_URL (or BUCKET_NAME with one cloud's standard credentials) is the archive;
storage_driver_url the node's store. Credentials come only from each cloud's standard variables
(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY…, AZURE_STORAGE_CONNECTION_STRING…, GOOGLE_APPLICATION_CREDENTIALS).`;

export function buildProgram(version: string, handle: Handler): Command {
  const program = new Command('archiver')
    .description(
      "Backup, restore and verify a storage node's blobs and job records (content-addressed, incremental, verified).",
    )
    .version(version)
    .addHelpText('after', EXIT_HELP)
    // Set before the commands are added: subcommands copy these settings when created.
    .exitOverride()
    .configureOutput({
      outputError: (text, write) => write(`archiver: ${text.replace(/^error: /, '').trim()}\n`),
    });

  const common = (cmd: Command) =>
    cmd
      .addOption(
        new Option('--json', 'one JSON line per event (default when not on a terminal)').env('ARCHIVER_JSON'),
      )
      .addOption(
        new Option('--concurrency <n>', 'objects in flight at once')
          .env('ARCHIVER_CONCURRENCY')
          .default(8)
          .argParser(intIn(1, 64)),
      )
      .addOption(
        new Option('--nats <urls>', 'NATS servers, for the job records (comma separated)').env(
          'NATS_SERVER_URL',
        ),
      )
      .addOption(new Option('--no-jobs', 'leave the job records out (no NATS needed)'))
      .addHelpText('after', EXIT_HELP)
      .action(async (flags: Record<string, unknown>, cmd: Command) => {
        process.exitCode = await handle(cmd.name(), flags);
      });

  common(
    program
      .command('backup')
      .description("take a snapshot of the node's store into the archive (only new content is sent)")
      .addOption(
        new Option(
          '--to <url>',
          'the archive: file:///dir, s3://bucket[/folder]?region=…, gcs://bucket[/folder], azblob://container[/folder]',
        ).env('ARCHIVE_URL'),
      )
      .addOption(new Option('--archive <url>', 'same as --to'))
      .addOption(
        new Option('--from <url>', "the node's store (default: storage_driver_url)").env(
          'storage_driver_url',
        ),
      )
      .addOption(
        new Option('--node-id <id>', "node id to record (default: the address of the node's delegate key)"),
      )
      .addOption(
        new Option('--data-dir <dir>', "the node's data dir, where delegate.key is").env('AUDIUS_DATA_DIR'),
      )
      .option(
        '--include-key',
        "also store the node's delegate key, sealed with a passphrase (scrypt + AES-256-GCM)",
      )
      .addOption(
        new Option(
          '--passphrase-file <file>',
          'read the passphrase from this file (else ARCHIVER_PASSPHRASE)',
        ),
      )
      .option('--recheck', 'look up every object in the archive instead of trusting the last snapshot')
      .option('--dry-run', 'say what would be sent, send nothing'),
  );

  common(
    program
      .command('restore')
      .description(
        "put a snapshot back into a store (an empty one, or a running node's: only what is missing)",
      )
      .addOption(new Option('--from <url>', 'the archive').env('ARCHIVE_URL'))
      .addOption(new Option('--archive <url>', 'same as --from'))
      .addOption(
        new Option('--to <url>', 'the store to restore into (default: storage_driver_url)').env(
          'storage_driver_url',
        ),
      )
      .addOption(
        new Option('--snapshot <id>', 'latest, an id, or a prefix of one').env('SNAPSHOT').default('latest'),
      )
      .addOption(new Option('--node <id>', 'with latest: the newest snapshot of this node'))
      .option(
        '--overwrite',
        'replace files whose content differs from the snapshot (default: keep and report them)',
      )
      .option(
        '--restore-key',
        'write the exported delegate key to <data dir>/delegate.key (needs the passphrase)',
      )
      .addOption(new Option('--data-dir <dir>', "the node's data dir").env('AUDIUS_DATA_DIR'))
      .addOption(
        new Option(
          '--passphrase-file <file>',
          'read the passphrase from this file (else ARCHIVER_PASSPHRASE)',
        ),
      )
      .option('--dry-run', 'say what would be restored, write nothing'),
  );

  common(
    program
      .command('verify')
      .description("re-hash the archive's objects and name every missing or corrupt one")
      .addOption(archiveOption())
      .addOption(new Option('--from <url>', 'same as --archive'))
      .addOption(new Option('--snapshot <id>', 'only this snapshot (default: all)').env('SNAPSHOT'))
      .addOption(
        new Option('--sample <fraction>', 're-hash a random fraction of the objects, 0 < f <= 1')
          .env('SAMPLE')
          .default(1)
          .argParser(fraction),
      ),
  );

  for (const name of ['list', 'snapshots']) {
    common(
      program
        .command(name)
        .description(
          name === 'list' ? 'list the snapshots (whole ones only: there are no others)' : 'same as list',
        )
        .addOption(archiveOption())
        .addOption(new Option('--from <url>', 'same as --archive')),
    );
  }

  common(
    program
      .command('prune')
      .description('remove snapshots by retention, then the content no remaining snapshot needs')
      .addOption(archiveOption())
      .addOption(new Option('--from <url>', 'same as --archive'))
      .addOption(
        new Option('--keep-last <n>', 'keep the newest N snapshots of each node')
          .env('KEEP_LAST')
          .argParser(intIn(0, 1_000_000)),
      )
      .addOption(
        new Option('--keep-within <duration>', 'keep snapshots younger than this (30d, 12h, 2w)')
          .env('KEEP_WITHIN')
          .argParser(duration),
      )
      .addOption(new Option('--node <id>', "only prune this node's snapshots"))
      .addOption(
        new Option('--grace <duration>', 'keep unnamed objects younger than this (a backup may be running)')
          .default(3_600_000, '1h')
          .argParser(duration),
      )
      .option('--dry-run', 'say what would be removed, remove nothing'),
  );
  return program;
}

function archiveOption(): Option {
  return new Option('--archive <url>', 'the archive').env('ARCHIVE_URL');
}

function intIn(min: number, max: number) {
  return (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected an integer ${min}…${max}`);
    return n;
  };
}

function fraction(text: string): number {
  const n = Number(text);
  if (!(n > 0 && n <= 1)) throw new InvalidArgumentError('expected a fraction 0 < f <= 1, e.g. 0.1');
  return n;
}

const UNITS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86_400e3, w: 604_800e3 };

export function duration(text: string): number {
  const m = /^(\d+)([smhdw])$/.exec(text.trim());
  if (!m) throw new InvalidArgumentError('expected a duration like 45s, 90m, 12h, 30d or 2w');
  return Number(m[1]) * UNITS[m[2]];
}
