import { StorageError } from '../errors';

/** How long a step may run on after its signal aborted before its attempt is given up. */
export const ABANDON_GRACE_MS = 5_000;

/**
 * `work`, or a rejection once `signal` has been aborted for `graceMs` while `work` still runs.
 * A step's timeout aborts its signal and every await of a step honours it, except one that hangs
 * inside a client library: the chaos smoke once left a job `in_progress` at `transcoding` for
 * minutes (issue 15), and while its attempt ran the job's worker looked alive to every
 * redelivery (live-worker.ts), so nothing could take it over. Giving the attempt up lets it be
 * recorded as failed and retried, or ended, within the step's timeout plus this grace. What
 * the abandoned work does later is harmless: its results go under its own attempt's names and
 * a compare-and-set refuses a record it no longer owns.
 */
export async function abandonAfterAbort<T>(
  signal: AbortSignal,
  work: Promise<T>,
  graceMs = ABANDON_GRACE_MS,
): Promise<T> {
  work.catch(() => undefined); // an abandoned attempt's late failure is nobody's to handle
  let timer: NodeJS.Timeout | undefined;
  let onAbort = () => undefined as void;
  const abandoned = new Promise<never>((_, reject) => {
    onAbort = () => {
      timer = setTimeout(() => {
        const why = (signal.reason as Error | undefined)?.message ?? 'aborted';
        reject(
          new StorageError(
            'TRANSCODE_FAILED',
            `the attempt did not stop within ${graceMs / 1000} s of its abort (${why}); given up`,
            { permanent: false }, // a hang says nothing of the file: another attempt may finish it
          ),
        );
      }, graceMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, abandoned]);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}
