import type { Context } from 'aws-lambda';
import { describeError, isStorageError, type ErrorCode } from '../errors';
import { createLogger, type Logger } from '../log';
import type { StepContext } from '../step';
import { setServicesFactory, type Services } from './services';

/**
 * What a NATS-triggered function answers when it runs as a Lambda. A failure is an answer,
 * not a thrown error, so the bridge (shared/bridge/) learns its code and whether it is
 * permanent (term) or not (nak with backoff); a crash or a Lambda timeout reaches the
 * bridge as a FunctionError instead and counts as transient.
 */
export type StepOutcome<R = unknown> = { ok: true; result: R } | { ok: false; error: StepError };

/** A failed step as the bridge learns it (StorageError's fields that steer the retry). */
export interface StepError {
  code?: ErrorCode;
  message: string;
  permanent: boolean;
  retryInSeconds?: number;
}

export interface StepFunction<E, R> {
  (event: E, context: StepContext): Promise<R>;
  (event: E, context: Context): Promise<StepOutcome<R>>;
}

/** Time kept back from the Lambda deadline so the handler's own abort path runs first. */
const DEADLINE_MARGIN_MS = 2000;

let lambdaLog: Logger | undefined;

/**
 * One step or scheduled function for both runtimes: the self-hosted runtime and the offline
 * plugin call it with a StepContext (errors are thrown, as the consumer shim expects); AWS
 * (and serverless-offline's Lambda endpoint) call it with a Lambda context, and then it builds
 * the services from the environment and answers a StepOutcome.
 */
export function stepFunction<E, R>(
  handler: (event: E, context: StepContext) => Promise<R>,
): StepFunction<E, R> {
  return (async (event: E, context: StepContext | Context) => {
    if (isStepContext(context)) return handler(event, context);
    setServicesFactory(servicesFromEnvLazily);
    lambdaLog ??= createLogger(process.env.AUDIUS_NODE_NAME ?? context.functionName);
    const budget = Math.max(1000, context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS);
    const stepContext: StepContext = {
      functionName: context.functionName,
      signal: AbortSignal.timeout(budget),
      log: lambdaLog.child({ fn: context.functionName }),
    };
    try {
      return { ok: true, result: await handler(event, stepContext) };
    } catch (err) {
      stepContext.log.warn({ err: describeError(err) }, 'step failed');
      return { ok: false, error: outcomeError(err) };
    }
  }) as StepFunction<E, R>;
}

/** Loaded on first use: a function that never calls services() does not load the node's SDKs. */
function servicesFromEnvLazily(): Promise<Services> {
  return (require('./build-services') as typeof import('./build-services')).servicesFromEnv();
}

function isStepContext(context: StepContext | Context): context is StepContext {
  return 'signal' in context && 'log' in context;
}

function outcomeError(err: unknown): StepError {
  if (isStorageError(err)) {
    const { code, message, permanent, retryInSeconds } = err;
    return { code, message, permanent, ...(retryInSeconds !== undefined ? { retryInSeconds } : {}) };
  }
  return { message: describeError(err), permanent: false };
}
