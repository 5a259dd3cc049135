import { storeResults } from '../../shared/jobs/store-results';
import { services } from '../../shared/runtime/services';
import { stepFunction } from '../../shared/runtime/lambda-step';
import type { StepHandler } from '../../shared/step';

/** Storer (results.>, one durable consumer per node): keep what this node owns (DESIGN §4.3). */
const store: StepHandler<{ id: string }> = async (event, context) => {
  return storeResults(await services(), String(event.data?.id ?? ''), context.signal);
};

export const handler = stepFunction(store);
