import { services } from '../runtime/services';
import type { StepHandler } from '../runtime/step';
import { transcodeImage, type ImageTemplateName } from '../transcode/mod';
import { runTranscodeStep } from './transcode-step';
import type { Job } from './types';

/** The step handler of an image template: JPEG variants via sharp (DESIGN §4.2). */
export function imageStepHandler(template: ImageTemplateName): StepHandler<{ id: string }, Job> {
  return async (event, context) => {
    const s = await services();
    return runTranscodeStep(s, template, event, context, ({ job, sourcePath, workDir, signal }) =>
      transcodeImage({
        template,
        input: sourcePath,
        workDir,
        id: job.id,
        maxPixels: s.config.maxImagePixels,
        signal,
      }),
    );
  };
}
