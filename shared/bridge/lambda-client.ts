import { LambdaClient } from '@aws-sdk/client-lambda';
import type { Config } from '../config';

/**
 * The Lambda API client the bridge invokes functions with. One attempt per call: JetStream
 * redelivery (with the function's backoff) is the retry, and an SDK retry of a slow invoke
 * would run the step twice. With a custom endpoint (serverless-offline, LocalStack) and no
 * credentials in the environment, placeholder keys are used: those endpoints do not check them.
 */
export function lambdaClient(config: Config, env: NodeJS.ProcessEnv = process.env): LambdaClient {
  const local = config.lambdaEndpoint !== '';
  return new LambdaClient({
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    maxAttempts: 1,
    ...(local ? { endpoint: config.lambdaEndpoint } : {}),
    ...(local && !env.AWS_ACCESS_KEY_ID
      ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
}
