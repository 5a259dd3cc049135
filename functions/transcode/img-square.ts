import { services } from '../../shared/runtime/services';
import { imageStepHandler } from '../../shared/jobs/image-step';
import { stepFunction } from '../../shared/runtime/lambda-step';

/** Step `img_square` (jobs.img_square): 150, 480 and 1000 px squares, centre crop. */
export const handler = stepFunction(imageStepHandler('img_square', services));
