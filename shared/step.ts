// The contract between functions and the runtime that triggers them (consumer shims, schedules).
import type { Logger } from './log';

/** What a NATS-triggered function receives (Lambda-shaped: event in, result out). */
export interface StepEvent<T = unknown> {
  stream: string;
  subject: string;
  sequence: number;
  data: T;
  /** 1 on first delivery. */
  attempt: number;
  maxAttempts: number;
}

export interface ScheduleEvent {
  source: 'schedule';
  /** ISO time the run was due. */
  time: string;
}

export interface StepContext {
  functionName: string;
  /** Aborted on timeout or when the node shuts down; storage, NATS and ffmpeg calls honour it. */
  signal: AbortSignal;
  log: Logger;
}

export type StepHandler<T = any, R = unknown> = (event: StepEvent<T>, context: StepContext) => Promise<R>;
export type ScheduleHandler = (event: ScheduleEvent, context: StepContext) => Promise<unknown>;
