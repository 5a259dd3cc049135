import { runTranscodeStep } from '../../shared/jobs/transcode-step';
import type { Job } from '../../shared/jobs/types';
import { services } from '../../shared/runtime/services';
import { stepFunction } from '../../shared/runtime/lambda-step';
import type { StepHandler } from '../../shared/step';
import { transcodeAudio } from '../../shared/transcode/mod';

/** Step `audio` (jobs.audio): MP3 320 kbps + 30 s preview via ffmpeg (DESIGN §4.2). */
const audio: StepHandler<{ id: string }, Job> = async (event, context) => {
  const s = await services();
  return runTranscodeStep(s, 'audio', event, context, ({ job, sourcePath, workDir, signal, onProgress }) =>
    transcodeAudio({
      input: sourcePath,
      workDir,
      id: job.id,
      previewStartSeconds: job.options.preview_start_seconds,
      maxDurationSeconds: s.config.maxAudioSeconds,
      threads: s.config.ffmpegThreads,
      signal,
      onProgress,
    }),
  );
};

/** In-process (StepContext) or as a Lambda (shared/runtime/lambda-step.ts). */
export const handler = stepFunction(audio);
