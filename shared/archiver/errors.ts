import { describeError, isStorageError } from '../errors';

/**
 * The archiver's exit codes (issue 12: "exit codes that mean something"). Scripts and the
 * `storage` CLI (#17) match on these numbers; `--help` prints this table.
 */
export const EXIT = {
  /** Everything asked for was done. */
  ok: 0,
  /** A fault of the archiver itself (a bug): the line says what. */
  internal: 1,
  /** Bad flags or settings: a malformed URL, a missing passphrase, an unknown mode. */
  usage: 2,
  /** The archive or the store cannot be reached or refuses our credentials. */
  unreachable: 3,
  /** The archive is not usable: not our backups, a corrupt or truncated manifest, no such snapshot. */
  badArchive: 4,
  /** Some objects are missing or corrupt (VERIFY found them; RESTORE or BACKUP skipped them). */
  integrity: 5,
  /** The passphrase does not open the exported key. */
  wrongPassphrase: 6,
  /** A backup and a prune of the same archive met (shared/archiver/locks.ts): run it again later. */
  busy: 7,
  /** Stopped by SIGINT or SIGTERM; nothing half-written is left visible. */
  interrupted: 130,
} as const;

export type ExitName = keyof typeof EXIT;

/** An error that ends the run with one line and its exit code. */
export class ArchiverError extends Error {
  constructor(
    readonly exit: ExitName,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ArchiverError';
  }
}

/**
 * The one line and exit code of whatever ended a run. A store's own errors say what is wrong
 * in one line already (shared/blob/open.ts); they mean the store cannot be used as configured.
 */
export function classify(err: unknown): { exit: number; line: string } {
  if (err instanceof ArchiverError) return { exit: EXIT[err.exit], line: flat(err.message) };
  if (isStorageError(err) && (err.code === 'BAD_CONFIG' || err.code === 'STORAGE_UNAVAILABLE'))
    return { exit: EXIT.unreachable, line: flat(err.message) };
  return { exit: EXIT.internal, line: flat(describeError(err)) };
}

function flat(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
