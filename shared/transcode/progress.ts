import type { FfmpegProgress } from './ffmpeg';

/** The spec's ceiling on progress updates: job-record writes stay cheap. */
export const PROGRESS_INTERVAL_MS = 250;

/**
 * Turns ffmpeg's `-progress` blocks into fractions for `onProgress`: increasing, at most one
 * per PROGRESS_INTERVAL_MS, never 1 (the step reports 1 itself once the results are ready).
 * With an unknown total there is nothing to divide by, so only that final 1 is reported.
 */
export function createProgressReporter(
  totalSeconds: number | null,
  onProgress: ((fraction: number) => void) | undefined,
  // Monotonic: an interval measured on the wall clock shrinks when the clock is slewed or stepped.
  now: () => number = () => performance.now(),
): (progress: FfmpegProgress) => void {
  let last = 0;
  let lastAt = -Infinity;
  return (progress) => {
    if (!onProgress || !totalSeconds || progress.outTimeSeconds === null) return;
    const fraction = Math.min(0.99, Math.floor((progress.outTimeSeconds / totalSeconds) * 1000) / 1000);
    const at = now();
    if (fraction <= last || at - lastAt < PROGRESS_INTERVAL_MS) return;
    last = fraction;
    lastAt = at;
    callSafely(onProgress, fraction);
  };
}

export function callSafely(callback: ((fraction: number) => void) | undefined, fraction: number): void {
  try {
    callback?.(fraction);
  } catch {
    // Progress is advisory: a failing progress sink must not fail the transcode.
  }
}
