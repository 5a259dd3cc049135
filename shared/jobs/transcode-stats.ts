import type { Template } from './types';

/** mediorum reports the last 10 days (reference/mediorum.md §8). */
const WINDOW_MS = 10 * 24 * 3600_000;
/** Bounded memory: a busy node keeps its newest timings. */
const MAX_SAMPLES = 10_000;

interface Sample {
  at: number;
  seconds: number;
}

const samples = new Map<Template, Sample[]>();

/** One transcode this node ran to completion, timed from claim to results (seconds). */
export function recordTranscode(template: Template, seconds: number, now = Date.now()): void {
  const list = samples.get(template) ?? [];
  list.push({ at: now, seconds });
  if (list.length > MAX_SAMPLES) list.splice(0, list.length - MAX_SAMPLES);
  samples.set(template, list);
}

/**
 * mediorum's `transcodeStats` for the audio transcodes this node ran in the last 10 days
 * (the Audius SDK skips a node whose AvgTranscodeTime is over 180 s). Measured in this
 * process: a restarted node starts again from none, which reads as fast (0), as mediorum's
 * empty stats do.
 */
export function transcodeStats(now = Date.now()) {
  const recent = (samples.get('audio') ?? []).filter((s) => now - s.at <= WINDOW_MS);
  const total = recent.reduce((sum, s) => sum + s.seconds, 0);
  return {
    Since: new Date(now - WINDOW_MS).toISOString(),
    TotalTranscodes: recent.length,
    TotalTranscodeTime: round(total),
    AvgTranscodeTime: recent.length ? round(total / recent.length) : 0,
    MaxTranscodeTime: round(Math.max(0, ...recent.map((s) => s.seconds))),
  };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
