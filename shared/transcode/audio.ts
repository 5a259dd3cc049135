import path from 'node:path';
import { AUDIO_ENCODING, planAudio, type AudioPlan } from './audio-plan';
import { FfmpegFailure, runFfmpeg } from './ffmpeg';
import { runFfprobe } from './ffprobe';
import { asStepError, badOption, rejectInput, transientFailure } from './failures';
import { probeMedia, type FfprobeJson, type MediaProbe } from './probe';
import { callSafely, createProgressReporter } from './progress';
import { hashFile, publish, withScratchDir } from './scratch';
import type { AudioOutput, TranscodeAudioOptions, TranscodeAudioResult } from './types';
import { assertId } from './validate';

/**
 * The audio template (DESIGN §4 step 2): probe, one ffmpeg run writing the 320 kbps MP3 and
 * the preview, check what came out, hash it, and hand the files over in `workDir`.
 *
 * Failures: bad input → permanent TRANSCODE_FAILED (not audio, corrupt, no audio stream,
 * zero duration, too long, nothing decodable); this node's trouble (ffmpeg timed out,
 * killed, missing, disk full) → TRANSCODE_FAILED with `permanent: false`, so redelivery can
 * try again, possibly on a less busy node; abort → rejects with `signal.reason`.
 */
export function transcodeAudio(options: TranscodeAudioOptions): Promise<TranscodeAudioResult> {
  return run(options).catch((err: unknown) => {
    throw asStepError(err, options.signal);
  });
}

async function run(options: TranscodeAudioOptions): Promise<TranscodeAudioResult> {
  const threads = options.threads ?? AUDIO_ENCODING.defaultThreads;
  validate(options, threads);
  options.signal?.throwIfAborted();
  const probe = await probeMedia(options.input, options.signal);
  assertTranscodable(probe, options.maxDurationSeconds);

  return withScratchDir(options.workDir, options.id, async (scratch) => {
    const plan = planAudio(probe, { ...options, outDir: scratch, threads });
    await encode(plan, options, probe, scratch);
    const outputs = await Promise.all(plan.outputs.map((o) => describeOutput(o, options.signal)));
    const full = outputs[0];
    if (full.durationSeconds > options.maxDurationSeconds + LENGTH_TOLERANCE_SECONDS) {
      throw rejectInput(
        `the audio is longer than the limit of ${options.maxDurationSeconds} s (its header said less)`,
      );
    }
    options.signal?.throwIfAborted();
    const paths = await publish(outputs, options.workDir);
    return {
      probe,
      outputs: outputs.map((o, i) => ({ ...o, path: paths[i] })),
      previewStartSeconds: plan.previewStartSeconds,
    };
  }).then((result) => {
    callSafely(options.onProgress, 1);
    return result;
  });
}

/** Encoder padding and container rounding; far below any length limit worth setting. */
const LENGTH_TOLERANCE_SECONDS = 0.5;

function validate(options: TranscodeAudioOptions, threads: number): void {
  assertId(options.id);
  const start = options.previewStartSeconds;
  const problems = [
    !(options.maxDurationSeconds > 0) && 'maxDurationSeconds must be a positive number',
    start !== undefined && !Number.isFinite(start) && 'previewStartSeconds must be a finite number',
    !(Number.isInteger(threads) && threads >= 1 && threads <= 64) && 'threads must be an integer 1..64',
    options.timeoutMs !== undefined && !(options.timeoutMs > 0) && 'timeoutMs must be positive',
  ].filter((problem) => problem !== false);
  if (problems.length > 0) throw badOption(problems.join('; '));
}

export function assertTranscodable(probe: MediaProbe, maxDurationSeconds: number): void {
  if (probe.audioStreams === 0) {
    const found = probe.otherStreams.length > 0 ? ` (it holds ${probe.otherStreams.join(', ')})` : '';
    throw rejectInput(`the file has no audio stream${found}`);
  }
  if (probe.duration !== null && probe.duration <= 0) throw rejectInput('the audio has zero duration');
  if (probe.duration !== null && probe.duration > maxDurationSeconds) {
    throw rejectInput(
      `the audio is ${probe.duration.toFixed(1)} s long; the limit is ${maxDurationSeconds} s`,
    );
  }
}

async function encode(
  plan: AudioPlan,
  options: TranscodeAudioOptions,
  probe: MediaProbe,
  scratch: string,
): Promise<void> {
  const reporter = createProgressReporter(plan.expectedSeconds, options.onProgress);
  const seconds = probe.duration ?? options.maxDurationSeconds;
  const timeoutMs = options.timeoutMs ?? 60_000 + Math.ceil(seconds) * 1000;
  const run = await runFfmpeg(plan.invocation, {
    timeoutMs,
    signal: options.signal,
    onProgress: reporter,
  }).catch((err: unknown) => {
    throw explainFfmpegFailure(err, path.resolve(options.input), scratch);
  });
  // A file whose header parses but whose data does not decode yields no samples at all.
  if (!((run.last?.outTimeSeconds ?? 0) > 0)) {
    throw rejectInput('the file contains no decodable audio (zero duration or corrupt data)');
  }
}

/** Messages ffmpeg prints when the node, not the file, is the problem. */
const NODE_TROUBLE =
  /No space left on device|Cannot allocate memory|Too many open files|Resource temporarily unavailable/i;

function explainFfmpegFailure(err: unknown, input: string, scratch: string): unknown {
  if (!(err instanceof FfmpegFailure)) return err; // the abort reason
  // ffmpeg names files by path; the uploader knows them only as "input" and the result name.
  const reason = err.reason
    .replaceAll(`file:${input}: `, '')
    .replaceAll(`file:${scratch}/`, '')
    .replaceAll(input, 'the file')
    .replaceAll(`${scratch}/`, '');
  if (err.kind === 'timeout') {
    return transientFailure(
      `${err.message}: ffmpeg was killed; the node may be overloaded, so it will be retried`,
      err,
    );
  }
  if (err.kind !== 'exit' || NODE_TROUBLE.test(err.stderr.join('\n'))) {
    return transientFailure(`ffmpeg failed on this node: ${err.message} (${reason})`, err);
  }
  return rejectInput(`the audio could not be decoded: ${reason}`, err);
}

const OUTPUT_PROBE_TIMEOUT_MS = 30_000;

/** Re-reads each MP3: it must be what we asked for before anyone stores it. */
async function describeOutput(
  output: { variant: AudioOutput['variant']; fileName: string; path: string },
  signal: AbortSignal | undefined,
): Promise<AudioOutput> {
  const json = (await runFfprobe(['-show_format', '-show_streams', '-f', 'mp3'], output.path, {
    signal,
    timeoutMs: OUTPUT_PROBE_TIMEOUT_MS,
  }).catch((err: unknown) => {
    if (!(err instanceof FfmpegFailure)) throw err;
    throw transientFailure(`the ${output.variant} MP3 just written cannot be read back: ${err.reason}`, err);
  })) as FfprobeJson;
  const stream = json.streams?.find((s) => s.codec_type === 'audio');
  if (stream?.codec_name !== 'mp3' || Number(stream.sample_rate) !== AUDIO_ENCODING.sampleRate) {
    throw transientFailure(
      `the ${output.variant} output is not a 48 kHz MP3 (${stream?.codec_name ?? 'no audio'})`,
    );
  }
  // The LAME header's encoder delay shows as start_time; the container length includes it.
  const length = Number(json.format?.duration ?? NaN) - Number(stream.start_time ?? 0);
  if (!(length > 0))
    throw rejectInput('the file contains no decodable audio (zero duration or corrupt data)');
  const { sha256, size } = await hashFile(output.path);
  return {
    ...output,
    size,
    sha256,
    contentType: 'audio/mpeg',
    durationSeconds: Math.round(length * 1000) / 1000,
  };
}
