import { AckPolicy, DeliverPolicy, RetentionPolicy, type Consumer, type JsMsg } from '@nats-io/jetstream';
import { describeError, isStorageError, StorageError } from '../errors';
import type { Logger } from '../log';
import { stepRuns, stepSeconds } from '../metrics';
import type { Nats } from '../nats/connection';
import { retryNats } from '../nats/retry';
import type { NatsTrigger } from './manifest';
import type { StepContext, StepHandler } from '../step';

const PULL_EXPIRES_MS = 2000;
const SECOND_NS = 1e9;
const INACTIVE_PER_NODE_NS = 7 * 24 * 3600 * SECOND_NS;

export interface ConsumerShim {
  /** Stops pulling, waits up to `graceMs` for in-flight work, then aborts it (it is nak'd). */
  stop(graceMs?: number): Promise<void>;
}

export interface ShimOptions {
  nats: Nats;
  functionName: string;
  trigger: NatsTrigger;
  handler: StepHandler;
  log: Logger;
  /** Appended to the durable name of per-node consumers. */
  nodeId: string;
  timeoutSeconds?: number;
  /**
   * False while this node must not take work: it is not a healthy member of its own view
   * (cut off from NATS, or its heartbeats stopped), so its ring may be stale (issue 15).
   */
  mayPull?: () => boolean;
}

interface ShimState extends ShimOptions {
  /** Work-queue streams drop a terminated message explicitly (servers before 2.11 keep it). */
  dropTerminated: boolean;
}

/**
 * Feeds one NATS-triggered function from a durable pull consumer (DESIGN §4.2): ack on
 * success, nak with backoff on failure, term after the last attempt or on a permanent error,
 * in-progress heartbeats while a long step runs, at most `concurrency` messages at once.
 */
export async function startConsumerShim(options: ShimOptions): Promise<ConsumerShim> {
  const { nats, trigger, log } = options;
  const durable = consumerName(trigger, options.nodeId);
  // A fresh R3 cluster can take a while to place a consumer: start-up rides it out.
  const startup = { budgetMs: Math.max(60_000, nats.retry.budgetMs) };
  await retryNats(startup, `create consumer ${durable}`, () => ensureConsumer(nats, trigger, durable));
  const consumer = await retryNats(startup, `open consumer ${durable}`, () =>
    nats.js.consumers.get(trigger.stream, durable),
  );
  const stream = await retryNats(startup, `look at ${trigger.stream}`, () =>
    nats.jsm.streams.info(trigger.stream),
  );
  const state: ShimState = {
    ...options,
    dropTerminated: stream.config.retention === RetentionPolicy.Workqueue,
  };
  const stopping = new AbortController();
  // Controllers of messages being worked on, so a shutdown past its grace can abort them.
  const inFlight = new Set<AbortController>();
  const workers = Array.from({ length: trigger.concurrency }, () =>
    workLoop(consumer, state, stopping.signal, inFlight).catch((err) =>
      log.error({ fn: options.functionName, err: describeError(err) }, 'consumer loop ended'),
    ),
  );
  log.info({ fn: options.functionName, durable, subject: trigger.subject }, 'consumer started');
  return {
    async stop(graceMs = 10_000) {
      stopping.abort();
      const grace = setTimeout(
        () => inFlight.forEach((a) => a.abort(new Error('node shutting down'))),
        graceMs,
      );
      await Promise.allSettled(workers);
      clearTimeout(grace);
    },
  };
}

export function consumerName(trigger: NatsTrigger, nodeId: string): string {
  return trigger.perNode ? `${trigger.durable}_${nodeId.replace(/[^A-Za-z0-9_-]/g, '')}` : trigger.durable;
}

async function ensureConsumer(nats: Nats, trigger: NatsTrigger, durable: string): Promise<void> {
  const config = {
    durable_name: durable,
    filter_subject: trigger.subject,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: trigger.ackWait * SECOND_NS,
    // One delivery past the last attempt: when the last attempt is lost (its worker died, or it
    // was handed back at shutdown) the handler still sees the job once more, with
    // attempt > maxAttempts, and can settle it (a transcode marks the job `error`).
    max_deliver: trigger.maxAttempts + 1,
    max_ack_pending: 1000,
    // A per-node consumer of a node that is gone for good is removed after a while.
    ...(trigger.perNode ? { inactive_threshold: INACTIVE_PER_NODE_NS } : {}),
  };
  try {
    await nats.jsm.consumers.add(trigger.stream, config);
  } catch {
    // Exists with older settings: bring it up to date (filter and durable stay the same).
    await nats.jsm.consumers.update(trigger.stream, durable, config);
  }
}

async function workLoop(
  consumer: Consumer,
  options: ShimState,
  stopping: AbortSignal,
  inFlight: Set<AbortController>,
): Promise<void> {
  while (!stopping.aborted) {
    if (options.mayPull && !options.mayPull()) {
      await sleep(1000);
      continue;
    }
    let msg: JsMsg | null;
    try {
      msg = await consumer.next({ expires: PULL_EXPIRES_MS });
    } catch (err) {
      if (stopping.aborted) return;
      options.log.warn({ fn: options.functionName, err: describeError(err) }, 'pull failed; retrying');
      await sleep(1000);
      continue;
    }
    if (msg && stopping.aborted) {
      // A pull still open at shutdown can deliver a message (even one just handed back): return it.
      quietly(() => msg.nak());
      return;
    }
    if (msg) await processMessage(msg, options, inFlight);
  }
}

async function processMessage(msg: JsMsg, options: ShimState, inFlight: Set<AbortController>): Promise<void> {
  const { trigger, log, functionName } = options;
  const attempt = msg.info.deliveryCount;
  const controller = new AbortController();
  inFlight.add(controller);
  const signals = [controller.signal];
  if (options.timeoutSeconds) signals.push(AbortSignal.timeout(options.timeoutSeconds * 1000));
  const context: StepContext = {
    functionName,
    signal: AbortSignal.any(signals),
    log: log.child({ fn: functionName }),
  };
  const heartbeat = setInterval(() => quietly(() => msg.working()), (trigger.ackWait * 1000) / 3);
  const timer = stepSeconds.startTimer({ function: functionName });
  try {
    const data = parseJson(msg);
    await options.handler(
      {
        stream: trigger.stream,
        subject: msg.subject,
        sequence: msg.seq,
        data,
        attempt,
        maxAttempts: trigger.maxAttempts,
      },
      context,
    );
    quietly(() => msg.ack());
    stepRuns.inc({ function: functionName, outcome: 'ok' });
  } catch (err) {
    await settleFailure(msg, err, attempt, options, controller.signal.aborted).catch((e) =>
      log.error({ fn: functionName, err: describeError(e) }, 'could not settle a failed message'),
    );
  } finally {
    timer();
    clearInterval(heartbeat);
    inFlight.delete(controller);
  }
}

async function settleFailure(
  msg: JsMsg,
  err: unknown,
  attempt: number,
  options: ShimState,
  shutdown: boolean,
): Promise<void> {
  const { trigger, log, functionName } = options;
  const reason = describeError(err);
  if (shutdown) {
    // Another node takes it now. JetStream counts this delivery as an attempt all the same.
    quietly(() => msg.nak());
    stepRuns.inc({ function: functionName, outcome: 'handed_back' });
    log.warn({ fn: functionName, seq: msg.seq }, 'in-flight work handed back at shutdown');
  } else if ((isStorageError(err) && err.permanent) || attempt >= trigger.maxAttempts) {
    // No reason on the wire: nats-server before 2.10 reads `+TERM <reason>` as no ack at all and
    // redelivers after ackWait (seen with 2.9.10). The reason is in the log line below.
    quietly(() => msg.term());
    stepRuns.inc({ function: functionName, outcome: 'failed' });
    log.error({ fn: functionName, seq: msg.seq, attempt, reason }, 'step failed for good');
    if (options.dropTerminated) {
      await options.nats.jsm.streams.deleteMessage(trigger.stream, msg.seq, false).catch(() => undefined);
    }
  } else {
    const delays = trigger.backoff;
    const backoff = delays[Math.min(attempt - 1, delays.length - 1)] ?? 1;
    const delaySeconds = Math.max(backoff, (isStorageError(err) && err.retryInSeconds) || 0);
    quietly(() => msg.nak(Math.ceil(delaySeconds * 1000)));
    stepRuns.inc({ function: functionName, outcome: 'retry' });
    const line = { fn: functionName, seq: msg.seq, attempt, delaySeconds, reason };
    // A step that says when to look again is waiting on purpose (a storer for its peers'
    // copies), not failing: hundreds of such lines a minute would bury the real warnings.
    if (isStorageError(err) && err.retryInSeconds) log.info(line, 'step waiting; will look again');
    else log.warn(line, 'step failed; will retry');
  }
}

function parseJson(msg: JsMsg): unknown {
  try {
    return msg.json();
  } catch (cause) {
    throw new StorageError('VALIDATION_FAILED', 'message is not JSON', { cause });
  }
}

/**
 * Acks, naks and heartbeats are fire-and-forget; on a closed connection they throw, which
 * must not take the node down (the server redelivers what was not settled).
 */
function quietly(settle: () => void): void {
  try {
    settle();
  } catch {
    // the message is redelivered after its ackWait
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
