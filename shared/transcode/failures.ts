import { StorageError, describeError } from '../errors';

/**
 * The two ways a transcode fails (DESIGN §4 step 4). Both use the catalogue's
 * TRANSCODE_FAILED code; `permanent` tells the consumer whether redelivery can help.
 */

/** Bad input: it fails the same way on every node, so the job goes straight to `error`. */
export function rejectInput(reason: string, cause?: unknown): StorageError {
  return new StorageError('TRANSCODE_FAILED', reason, { permanent: true, cause });
}

/** This node's trouble (timeout, killed, disk full, missing binary): redelivery may succeed. */
export function transientFailure(reason: string, cause?: unknown): StorageError {
  return new StorageError('TRANSCODE_FAILED', reason, { permanent: false, cause });
}

/** A caller passed options that can never work: a bug, not the uploader's fault. */
export function badOption(reason: string): StorageError {
  return new StorageError('VALIDATION_FAILED', reason, { permanent: true });
}

/** Errors of the file system that say nothing about the input (ENOSPC, EMFILE …). */
export function isEnvironmentError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code);
}

/**
 * The steps' promise: they reject with a StorageError or with the abort reason, nothing
 * else. Anything unforeseen (a file-system error while hashing …) is this node's problem.
 */
export function asStepError(err: unknown, signal: AbortSignal | undefined): unknown {
  if (err instanceof StorageError) return err;
  if (signal?.aborted && err === signal.reason) return err;
  return transientFailure(`the transcode failed on this node: ${describeError(err)}`, err);
}
