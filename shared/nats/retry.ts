import { StorageError } from '../errors';
import { natsFault, natsFaultError } from './faults';

/** How long a JetStream call may keep failing transiently before the caller is told so. */
export interface RetryPolicy {
  /** Total time spent retrying, ms (one more request timeout may run past it). */
  budgetMs: number;
}

/** First pause between attempts; it doubles up to MAX_PAUSE_MS. */
const FIRST_PAUSE_MS = 250;
const MAX_PAUSE_MS = 2000;

/**
 * Runs `call` again while it fails with a transient JetStream fault (a leader election, a
 * server restarting: issue 15) until `policy.budgetMs` has passed; then throws
 * `NATS_UNAVAILABLE` (503). A full stream is `JETSTREAM_FULL` (507) at once: waiting a few
 * seconds does not make room. Any other error passes through unchanged. `call` must be safe
 * to repeat: a read, a publish with a message id, or a compare-and-set.
 */
export async function retryNats<T>(
  policy: RetryPolicy,
  what: string,
  call: (attempt: number) => Promise<T>,
): Promise<T> {
  const started = Date.now();
  let pause = FIRST_PAUSE_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(attempt);
    } catch (err) {
      const fault = natsFault(err);
      if (fault !== 'unavailable') throw natsFaultError(err, what) ?? err;
      if (Date.now() - started + pause > policy.budgetMs) {
        throw new StorageError(
          'NATS_UNAVAILABLE',
          `${what}: JetStream did not answer within ${Math.round((Date.now() - started) / 1000)} s (${attempt} attempts; ${(err as Error).message})`,
          { cause: err },
        );
      }
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(pause * 2, MAX_PAUSE_MS);
    }
  }
}
