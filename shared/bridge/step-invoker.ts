import type { Config } from '../config';
import { exportedHandler } from '../runtime/load-function';
import type { FunctionSpec } from '../runtime/manifest';
import type { StepHandler } from '../step';
import { lambdaClient } from './lambda-client';
import { lambdaStepHandler } from './invoke-step';

/**
 * Seconds the bridge waits past a function's own timeout before it gives up on the invoke:
 * Lambda's timeout answer (a FunctionError) should be the one that arrives.
 */
const INVOKE_MARGIN_SECONDS = 2;

export interface StepInvocation {
  handler: StepHandler;
  timeoutSeconds?: number;
}

/**
 * The one switch between the self-hosted runtime and the NATS→Lambda bridge
 * (AUDIUS_STEP_INVOKER): the module's handler called in this process, or the deployed
 * function (AUDIUS_LAMBDA_PREFIX + its serverless.yml key) invoked through the Lambda API.
 */
export function stepInvoker(config: Config): (spec: FunctionSpec) => StepInvocation {
  if (config.stepInvoker === 'in-process') {
    return (spec) => ({ handler: exportedHandler<StepHandler>(spec), timeoutSeconds: spec.timeoutSeconds });
  }
  const client = lambdaClient(config);
  return (spec) => ({
    handler: lambdaStepHandler(client, `${config.lambdaPrefix}${spec.name}`),
    timeoutSeconds: (spec.timeoutSeconds ?? 6) + INVOKE_MARGIN_SECONDS,
  });
}
