import { describeError } from '../errors';
import type { Logger } from '../log';
import type { ScheduleHandler } from '../step';

export interface Schedule {
  stop(): Promise<void>;
}

/**
 * Runs a scheduled function every `everyMs` on this node, never two runs at once; the
 * first run comes one period after start so a booting node settles first.
 */
export function startSchedule(
  functionName: string,
  everyMs: number,
  handler: ScheduleHandler,
  log: Logger,
): Schedule {
  const controller = new AbortController();
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    const time = new Date().toISOString();
    running = handler(
      { source: 'schedule', time },
      { functionName, signal: controller.signal, log: log.child({ fn: functionName }) },
    )
      .then(
        () => undefined,
        (err) => log.error({ fn: functionName, err: describeError(err) }, 'scheduled run failed'),
      )
      .finally(() => (running = undefined));
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      controller.abort(new Error('node shutting down'));
      await running;
    },
  };
}
