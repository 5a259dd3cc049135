/**
 * What `storage`'s exit status means (README "CLI"), the same for every command, so a
 * script can tell "the cluster is unwell" from "you typed it wrong" from "nobody answered".
 */
export const EXIT = {
  /** Done; every check passed. */
  ok: 0,
  /** The command ran and found a problem: an unhealthy node, a disagreement, a failed job, a bad digest. */
  problem: 1,
  /** Bad input: an unknown option or file, a wrong template, a malformed URL or key. */
  usage: 2,
  /** The node could not be reached (refused, timed out, no such host). */
  unreachable: 3,
  /** The node answered with an error (its `code` is printed). */
  refused: 4,
  /** Something this command runs is not installed or built (the archiver, ffmpeg). */
  missing: 5,
  /** Ctrl-C. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error that ends the command with one line on stderr and its exit status. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError(EXIT.usage, message);
