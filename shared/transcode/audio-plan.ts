import path from 'node:path';
import type { FfmpegInvocation } from './ffmpeg';
import { DEMUXERS, type MediaProbe } from './probe';
import { outputFileName, type AudioFormat, type AudioVariant } from './templates';

/**
 * The audio template's ffmpeg arguments, as data: one pure function so the step, the docs
 * and the benchmark's bare `ffmpeg` run all use the same argv.
 */
export const AUDIO_ENCODING = {
  encoder: 'libmp3lame',
  /** libmp3lame is CBR unless asked for VBR/ABR; the live network serves 320k CBR. */
  bitRate: '320k',
  sampleRate: 48000,
  previewSeconds: 30,
  /** Past most intros, as a music service's preview usually is. */
  defaultPreviewStartSeconds: 30,
  /** mediorum runs ffmpeg with 2 threads per job (reference/mediorum.md §9). */
  defaultThreads: 2,
} as const;

export interface AudioPlanParams {
  input: string;
  /** Where ffmpeg writes (the step's private scratch directory). */
  outDir: string;
  id: string;
  previewStartSeconds?: number;
  maxDurationSeconds: number;
  threads: number;
}

export interface AudioPlan {
  invocation: FfmpegInvocation;
  outputs: { variant: AudioVariant; fileName: string; path: string }[];
  previewStartSeconds: number;
  previewSeconds: number;
  /** Seconds the full output should hold, for progress; null when the source does not say. */
  expectedSeconds: number | null;
}

export function planAudio(probe: MediaProbe, params: AudioPlanParams): AudioPlan {
  const preview = previewWindow(probe.duration, params.previewStartSeconds);
  const full = outputFileName(params.id, '320', 'mp3');
  const short = outputFileName(params.id, 'preview', 'mp3');
  const common = encodeOptions(probe, params.threads);
  // -t bounds the work when a header lies about the length; the step then rejects the result.
  const cap = seconds(params.maxDurationSeconds + 1);
  return {
    invocation: {
      inputOptions: ['-threads', String(params.threads), '-f', DEMUXERS[probe.container as AudioFormat]],
      input: params.input,
      outputs: [
        { options: [...common, '-t', cap], path: path.join(params.outDir, full) },
        {
          options: ['-ss', seconds(preview.start), '-t', seconds(preview.length), ...common],
          path: path.join(params.outDir, short),
        },
      ],
    },
    outputs: [
      { variant: '320', fileName: full, path: path.join(params.outDir, full) },
      { variant: 'preview', fileName: short, path: path.join(params.outDir, short) },
    ],
    previewStartSeconds: preview.start,
    previewSeconds: preview.length,
    expectedSeconds: probe.duration === null ? null : Math.min(probe.duration, params.maxDurationSeconds + 1),
  };
}

/**
 * Both outputs come from one decode of the source (not from the 320 MP3, as mediorum does),
 * so the preview is not encoded twice. Output-side -ss/-t trim decoded samples exactly.
 */
function encodeOptions(probe: MediaProbe, threads: number): string[] {
  return [
    // First audio stream only: cover art, video, subtitles, data and chapters are dropped.
    ...['-map', '0:a:0', '-map_metadata', '-1', '-map_chapters', '-1', '-vn', '-sn', '-dn'],
    ...[
      '-c:a',
      AUDIO_ENCODING.encoder,
      '-b:a',
      AUDIO_ENCODING.bitRate,
      '-ar',
      String(AUDIO_ENCODING.sampleRate),
    ],
    // Mono stays mono; everything else becomes stereo (libmp3lame has nothing wider).
    ...['-ac', probe.channels === 1 ? '1' : '2', '-threads', String(threads)],
    // ID3v2.3 is the version every player reads; the Xing/LAME header carries the exact
    // length (encoder delay and padding); bitexact drops the "encoder" tag so the same
    // source and ffmpeg give the same bytes on every node.
    ...['-id3v2_version', '3', '-write_xing', '1', '-fflags', '+bitexact', '-flags:a', '+bitexact'],
    ...Object.entries(probe.tags).flatMap(([key, value]) => ['-metadata', `${key}=${value}`]),
    ...['-f', 'mp3'],
  ];
}

/**
 * The preview is 30 s (or the whole track when shorter), starting at the requested point
 * (default 30 s), moved earlier when needed so that all of it fits in the track. With an
 * unknown duration it starts at the requested point or 0.
 */
export function previewWindow(
  duration: number | null,
  requested?: number,
): { start: number; length: number } {
  const want = AUDIO_ENCODING.previewSeconds;
  if (duration === null) return { start: round(Math.max(0, requested ?? 0)), length: want };
  const length = Math.min(want, duration);
  const start = Math.min(
    Math.max(0, requested ?? AUDIO_ENCODING.defaultPreviewStartSeconds),
    duration - length,
  );
  return { start: round(Math.max(0, start)), length: round(length) };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function seconds(x: number): string {
  return String(round(x));
}
