import { AUDIO_ENCODING, previewWindow } from '../transcode/audio-plan';
import type { Job, JobResult } from '../jobs/types';
import { ORIGINAL_VARIANT } from '../jobs/original';

/**
 * Our result variants under the names mediorum gives them in an upload's `results`
 * (reference/mediorum.md §3): images by size (`150x150.jpg`, `640x.jpg`, `original.jpg`),
 * the full track `320`, previews `320_preview|<start seconds>`.
 */
const IMAGE_NAMES: Record<string, string> = {
  '150': '150x150.jpg',
  '480': '480x480.jpg',
  '1000': '1000x1000.jpg',
  '640': '640x.jpg',
  '2000': '2000x.jpg',
  [ORIGINAL_VARIANT]: 'original.jpg',
};

/** A preview made later by generate_preview: `preview<start in ms>` (variants are base36 words). */
const MADE_PREVIEW_RE = /^preview(\d{1,9})$/;

export function madePreviewVariant(startSeconds: number): string {
  return `preview${Math.round(startSeconds * 1000)}`;
}

/** The mediorum key of one result, or null when mediorum's results would not list it. */
export function mediorumKey(job: Job, result: JobResult): string | null {
  if (job.template !== 'audio') return IMAGE_NAMES[result.variant] ?? null;
  if (result.variant === '320') return '320';
  if (result.variant === 'preview') return `320_preview|${previewStart(job)}`;
  const made = MADE_PREVIEW_RE.exec(result.variant);
  return made ? `320_preview|${Number(made[1]) / 1000}` : null;
}

/** The result a mediorum variant name (`/content/<uploadId>/<variant>`) means, or null. */
export function resultForKey(job: Job, key: string): JobResult | null {
  return job.results.find((r) => mediorumKey(job, r) === key) ?? null;
}

/** Where the upload's own preview starts: as requested, clamped to the track (audio-plan.ts). */
export function previewStart(job: Job): number {
  const duration = (job.probe as { duration?: number | null } | undefined)?.duration ?? null;
  const requested = job.options.preview_start_seconds ?? AUDIO_ENCODING.defaultPreviewStartSeconds;
  return previewWindow(duration, requested).start;
}
