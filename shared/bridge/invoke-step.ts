import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { ERRORS, StorageError, type ErrorCode } from '../errors';
import type { StepOutcome } from '../runtime/lambda-step';
import type { StepHandler } from '../step';

/**
 * A step handler that runs the step on Lambda: the consumer shim calls it exactly as it calls
 * an in-process handler, so ack / nak-with-backoff / term / in-progress stay the shim's
 * (shared/runtime/consumer-shim.ts). The invocation is synchronous (RequestResponse) and is
 * aborted with the step's signal (its timeout, or the bridge stopping).
 */
export function lambdaStepHandler(client: LambdaClient, functionName: string): StepHandler {
  return async (event, context) => {
    const response = await client.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'RequestResponse',
        Payload: Buffer.from(JSON.stringify(event)),
      }),
      { abortSignal: context.signal },
    );
    const text = response.Payload ? Buffer.from(response.Payload).toString('utf8') : '';
    if (response.FunctionError) {
      // A crash, an out-of-memory or Lambda's own timeout: the node's trouble, retried.
      throw new Error(`${functionName} failed (${response.FunctionError}): ${errorMessage(text)}`);
    }
    const outcome = parseOutcome(functionName, text);
    if (outcome.ok) return outcome.result;
    const { code, message, permanent, retryInSeconds } = outcome.error;
    if (code && code in ERRORS)
      throw new StorageError(code as ErrorCode, message, {
        permanent,
        retryInSeconds: retryHint(retryInSeconds),
      });
    throw new Error(`${functionName}: ${message}`);
  };
}

function parseOutcome(functionName: string, text: string): StepOutcome {
  try {
    const parsed = JSON.parse(text) as StepOutcome;
    if (parsed && typeof parsed === 'object' && typeof parsed.ok === 'boolean') return parsed;
  } catch {
    // reported below
  }
  throw new Error(`${functionName} answered something that is not a step outcome: ${text.slice(0, 200)}`);
}

/** Lambda reports an unhandled error as {errorType, errorMessage}. */
function errorMessage(text: string): string {
  try {
    const e = JSON.parse(text) as { errorType?: string; errorMessage?: string };
    return [e.errorType, e.errorMessage].filter(Boolean).join(': ') || text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}

/** The longest wait a step's answer may ask for before its redelivery. */
const MAX_RETRY_HINT_SECONDS = 3600;

/** A step's "retry in n s" as a sane number (the payload is JSON from another process), or none. */
function retryHint(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0
    ? Math.min(Math.ceil(value), MAX_RETRY_HINT_SECONDS)
    : undefined;
}
