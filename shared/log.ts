import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs by default (for log shippers); LOG_FORMAT=pretty gives the readable
 * single lines that `npm start` shows. pino-pretty runs in-process (sync) so no worker
 * thread is left behind at shutdown.
 */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  if (process.env.LOG_FORMAT === 'pretty') {
    const { PinoPretty } = require('pino-pretty') as typeof import('pino-pretty');
    const stream = PinoPretty({
      colorize: process.stdout.isTTY === true,
      translateTime: 'HH:MM:ss.l',
      ignore: 'pid,hostname',
      singleLine: true,
      sync: true,
    });
    return pino({ name, level }, stream);
  }
  return pino({ name, level });
}

let rootLogger: Logger | undefined;

export function log(): Logger {
  rootLogger ??= createLogger(process.env.AUDIUS_NODE_NAME ?? 'storage');
  return rootLogger;
}
