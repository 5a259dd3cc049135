import { describeError } from '../errors';
import type { Logger } from '../log';

/**
 * SIGTERM and SIGINT run `stop` once, then exit 0, or 1 when the stop failed: the one shutdown
 * rule of the node and the Lambda bridge (a second signal while stopping is ignored).
 */
export function stopOnSignals(log: Logger, message: string, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, message);
    stop().then(
      () => process.exit(0),
      (err) => {
        log.error({ err: describeError(err) }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}
