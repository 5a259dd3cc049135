import { services } from '../../shared/runtime/services';
import { imageStepHandler } from '../../shared/jobs/image-step';
import { stepFunction } from '../../shared/runtime/lambda-step';

/** Step `img_backdrop` (jobs.img_backdrop): 640 and 2000 px wide, aspect kept, never enlarged. */
export const handler = stepFunction(imageStepHandler('img_backdrop', services));
