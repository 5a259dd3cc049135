import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { Context } from 'aws-lambda';
import { lambdaStepHandler } from '../../../shared/bridge/invoke-step';
import { StorageError } from '../../../shared/errors';
import { createLogger } from '../../../shared/log';
import { stepFunction, type StepOutcome } from '../../../shared/runtime/lambda-step';

/**
 * A step's "retry no sooner than" (StorageError.retryInSeconds) reaches the consumer shim
 * when the step runs on Lambda too: the function's answer carries it and the bridge's handler
 * throws it again. The Lambda service is the part that cannot run here: its client is a
 * stand-in that hands the function's own answer back (test/bridge/ runs the real path).
 */
describe('the retry hint across the Lambda bridge', () => {
  const lambdaContext = {
    functionName: 'storeResults',
    getRemainingTimeInMillis: () => 60_000,
  } as unknown as Context;

  test('a StorageError with retryInSeconds comes back from the bridge with it', async () => {
    const step = stepFunction(async () => {
      throw new StorageError('NOT_READY', 'job x: 1 of 3 owners hold its results', { retryInSeconds: 10 });
    });
    const outcome = (await step({}, lambdaContext)) as StepOutcome;
    expect(outcome).toEqual({
      ok: false,
      error: {
        code: 'NOT_READY',
        message: 'job x: 1 of 3 owners hold its results',
        permanent: false,
        retryInSeconds: 10,
      },
    });
    const client = {
      send: async () => ({ Payload: Buffer.from(JSON.stringify(outcome)) }),
    } as unknown as LambdaClient;
    const handler = lambdaStepHandler(client, 'storeResults');
    const context = {
      functionName: 'storeResults',
      signal: new AbortController().signal,
      log: createLogger('t', 'silent'),
    };
    await expect(
      handler(
        { stream: 'RESULTS', subject: 'results.audio', sequence: 1, data: {}, attempt: 1, maxAttempts: 3 },
        context,
      ),
    ).rejects.toMatchObject({ code: 'NOT_READY', permanent: false, retryInSeconds: 10 });
  });

  test('an error without the hint has none after the bridge either', async () => {
    const step = stepFunction(async () => {
      throw new StorageError('NOT_READY', 'not yet');
    });
    const outcome = (await step({}, lambdaContext)) as StepOutcome;
    expect(outcome).toEqual({
      ok: false,
      error: { code: 'NOT_READY', message: 'not yet', permanent: false },
    });
  });
});
