import type { StepHandler } from '../step';
import { transcodeImage, type ImageTemplateName } from '../transcode/mod';
import type { JobDeps } from './deps';
import { runTranscodeStep } from './transcode-step';
import type { Job } from './types';

/**
 * The step handler of an image template: JPEG variants via sharp (DESIGN §4.2). `deps` is the
 * function module's way to its node's services (the runtime's, or a Lambda's built on first use).
 */
export function imageStepHandler(
  template: ImageTemplateName,
  deps: () => Promise<JobDeps>,
): StepHandler<{ id: string }, Job> {
  return async (event, context) => {
    const s = await deps();
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
