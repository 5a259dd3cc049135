import path from 'node:path';
import { FfmpegFailure } from './ffmpeg';
import { runFfprobe } from './ffprobe';
import { rejectInput, transientFailure } from './failures';
import { sniffFile } from './sniff-file';
import type { Sniffed } from './sniff';
import type { AudioFormat } from './templates';

/** Tags carried from the upload into the MP3s, in ffmpeg's generic names. */
export const TAG_KEYS = [
  'title',
  'artist',
  'album',
  'album_artist',
  'composer',
  'genre',
  'date',
  'track',
  'disc',
  'comment',
  'copyright',
] as const;

export type TagKey = (typeof TAG_KEYS)[number];
export type AudioTags = Partial<Record<TagKey, string>>;

/** What the job record keeps of ffprobe's answer (DESIGN §4 step 2: `probe`). */
export interface MediaProbe {
  /** The container sniffed from the bytes ('wav', 'mp4' …); ffprobe was pinned to it. */
  container: string;
  /** ffprobe's `format_name`, e.g. 'wav' or 'mov,mp4,m4a,3gp,3g2,mj2'. */
  format: string;
  formatLongName: string;
  /** Seconds; null when the container does not say (ffprobe prints N/A). */
  duration: number | null;
  /** Overall bit rate, bits per second; null when unknown. */
  bitRate: number | null;
  /** Of the first audio stream (the one transcoded), Hz; null without an audio stream. */
  sampleRate: number | null;
  channels: number | null;
  channelLayout: string | null;
  /** ffmpeg codec name of the first audio stream ('pcm_s24le', 'flac', 'aac' …). */
  codec: string | null;
  /** Bits per sample of the source, when the codec has one (PCM, FLAC). */
  bitsPerSample: number | null;
  audioStreams: number;
  /** Other streams, as `type:codec` ('video:mjpeg' is usually embedded cover art). */
  otherStreams: string[];
  /** Container and first-audio-stream tags, keys normalised, whitelisted to TAG_KEYS. */
  tags: AudioTags;
}

/** The ffmpeg demuxer for each sniffed container: decoders never guess the format. */
export const DEMUXERS: Record<AudioFormat, string> = {
  mp3: 'mp3',
  mp2: 'mp3',
  aac: 'aac',
  wav: 'wav',
  flac: 'flac',
  aiff: 'aiff',
  mp4: 'mov',
  ogg: 'ogg',
  matroska: 'matroska',
  caf: 'caf',
};

const PROBE_TIMEOUT_MS = 30_000;

/**
 * Probes an audio file with ffprobe. Rejects (permanent TRANSCODE_FAILED) a file that is not
 * audio by its bytes or that ffprobe cannot read; returns the summary otherwise, also for a
 * file without an audio stream (the transcode step judges that).
 */
export async function probeMedia(filePath: string, signal?: AbortSignal): Promise<MediaProbe> {
  const sniffed = await sniffFile(filePath);
  const demuxer = demuxerFor(sniffed);
  const json = await runFfprobe(['-show_format', '-show_streams', '-f', demuxer], filePath, {
    signal,
    timeoutMs: PROBE_TIMEOUT_MS,
  }).catch((err: unknown) => {
    throw probeFailure(err, sniffed.format, filePath);
  });
  return summarise(json as FfprobeJson, sniffed.format);
}

function demuxerFor(sniffed: Sniffed): string {
  const demuxer = (DEMUXERS as Record<string, string | undefined>)[sniffed.format];
  if (sniffed.kind === 'audio' && demuxer) return demuxer;
  if (sniffed.kind === 'image') throw rejectInput(`the file is not audio: it is a ${sniffed.format} image`);
  throw rejectInput('the file is not audio: its first bytes match no supported audio format');
}

function probeFailure(err: unknown, format: string, filePath: string): unknown {
  if (!(err instanceof FfmpegFailure)) return err;
  if (err.kind !== 'exit') return transientFailure(`ffprobe failed on this node: ${err.message}`, err);
  // ffprobe prefixes the path ("file:/…/x.flac: Invalid data …"); the uploader never saw it.
  const absolute = path.resolve(filePath);
  const reason = err.reason.replaceAll(`file:${absolute}: `, '').replaceAll(absolute, 'the file');
  return rejectInput(`the file starts like ${format} but is corrupt or truncated (ffprobe: ${reason})`, err);
}

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  sample_rate?: string;
  channels?: number;
  channel_layout?: string;
  bits_per_raw_sample?: string;
  bits_per_sample?: number;
  duration?: string;
  start_time?: string;
  bit_rate?: string;
  tags?: Record<string, string>;
}

export interface FfprobeJson {
  streams?: FfprobeStream[];
  format?: {
    format_name?: string;
    format_long_name?: string;
    duration?: string;
    bit_rate?: string;
    start_time?: string;
    tags?: Record<string, string>;
  };
}

export function summarise(json: FfprobeJson, container: string): MediaProbe {
  const streams = json.streams ?? [];
  const audio = streams.filter((s) => s.codec_type === 'audio');
  const first = audio[0];
  const bits = num(first?.bits_per_raw_sample) ?? (first?.bits_per_sample || null);
  return {
    container,
    format: json.format?.format_name ?? container,
    formatLongName: json.format?.format_long_name ?? '',
    duration: num(json.format?.duration) ?? num(first?.duration),
    bitRate: num(json.format?.bit_rate),
    sampleRate: num(first?.sample_rate),
    channels: first?.channels ?? null,
    channelLayout: first?.channel_layout ?? null,
    codec: first?.codec_name ?? null,
    bitsPerSample: bits,
    audioStreams: audio.length,
    otherStreams: streams
      .filter((s) => s.codec_type !== 'audio')
      .map((s) => `${s.codec_type}:${s.codec_name}`),
    tags: normaliseTags([json.format?.tags, first?.tags]),
  };
}

/** Other names containers use for the same tags (AIFF 'AUTH', Vorbis 'ALBUMARTIST' …). */
const TAG_ALIASES: Record<string, TagKey> = {
  author: 'artist',
  albumartist: 'album_artist',
  'album artist': 'album_artist',
  year: 'date',
  tracknumber: 'track',
  discnumber: 'disc',
  description: 'comment',
};

const MAX_TAG_LENGTH = 1024;

/**
 * First source wins (container over stream), real names over aliases; keys lower-cased,
 * control characters dropped, values capped at 1 KiB.
 */
export function normaliseTags(sources: (Record<string, string> | undefined)[]): AudioTags {
  const tags: AudioTags = {};
  for (const viaAlias of [false, true]) {
    for (const source of sources) {
      for (const [rawKey, rawValue] of Object.entries(source ?? {})) {
        const lower = rawKey.toLowerCase();
        const key = viaAlias ? TAG_ALIASES[lower] : lower;
        if (!isTagKey(key) || tags[key] !== undefined) continue;
        const value = String(rawValue)
          .replace(/[\u0000-\u001f\u007f]+/g, ' ')
          .trim()
          .slice(0, MAX_TAG_LENGTH);
        if (value !== '') tags[key] = value;
      }
    }
  }
  return tags;
}

function isTagKey(key: string | undefined): key is TagKey {
  return key !== undefined && (TAG_KEYS as readonly string[]).includes(key);
}

function num(value: string | undefined): number | null {
  if (value === undefined || value === 'N/A') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}
