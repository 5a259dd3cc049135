import type { MediaProbe } from './probe';
import type { AudioVariant, ImageVariant } from './templates';

/** One result file of a step, ready to be put in the temp store and recorded on the job. */
export interface TranscodeOutput {
  variant: AudioVariant | ImageVariant;
  /** `<id>_<variant>.<ext>`, the name it is stored under (DESIGN §3). */
  fileName: string;
  /** `<workDir>/<fileName>`: the caller uploads it, then deletes it. */
  path: string;
  /** Bytes. */
  size: number;
  contentType: 'audio/mpeg' | 'image/jpeg';
  /** Lower-case hex SHA-256 of the file, for the storer's digest check (DESIGN §9). */
  sha256: string;
}

export interface AudioOutput extends TranscodeOutput {
  variant: AudioVariant;
  contentType: 'audio/mpeg';
  /**
   * Playable length in seconds (ms precision): the container's length minus the encoder
   * delay the LAME header declares. The last frame's padding (< 1152 samples, 24 ms) is
   * still counted, so it is within +24 ms of the decoded sample count.
   */
  durationSeconds: number;
}

export interface TranscodeAudioOptions {
  /** Path of the uploaded file. Never modified. */
  input: string;
  /** An existing directory the caller owns; results appear in it, nothing else remains. */
  workDir: string;
  /** Upload id (base36, DESIGN §3); names the results. */
  id: string;
  /** Where the 30 s preview starts, seconds; clamped so the preview fits (default 30). */
  previewStartSeconds?: number;
  /** Longer sources are rejected (permanent), seconds. */
  maxDurationSeconds: number;
  /** ffmpeg threads for decoding and encoding (default 2). */
  threads?: number;
  /** Kill ffmpeg after this long (default 60 s + 1 s per second of audio). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** 0..1, increasing, at most 4 per second, ending with exactly 1 on success. */
  onProgress?: (fraction: number) => void;
}

export interface TranscodeAudioResult {
  probe: MediaProbe;
  /** '320' then 'preview'. */
  outputs: AudioOutput[];
  /** Where the preview really starts after clamping, seconds. */
  previewStartSeconds: number;
}

export interface ImageProbe {
  /** sharp's decoder: 'jpeg', 'png', 'webp', 'gif', 'tiff', or 'heif' (AVIF). */
  format: string;
  /** Stored pixel size, before EXIF orientation. */
  width: number;
  height: number;
  /** EXIF orientation 1..8, null when absent. */
  orientation: number | null;
  /** Pixel size as displayed, after orientation. */
  displayWidth: number;
  displayHeight: number;
  /** libvips colour space: 'srgb', 'cmyk', 'b-w', 'rgb16', 'grey16' … */
  space: string;
  channels: number;
  /** Sample format: 'uchar' (8 bit), 'ushort' (16 bit) … */
  depth: string;
  hasAlpha: boolean;
  hasProfile: boolean;
  /** Frames/pages; only the first is used. */
  pages: number;
}

export interface ImageOutput extends TranscodeOutput {
  variant: ImageVariant;
  contentType: 'image/jpeg';
  /** Pixels of the JPEG written. */
  width: number;
  height: number;
}

export interface TranscodeImageOptions {
  template: 'img_square' | 'img_backdrop';
  input: string;
  workDir: string;
  id: string;
  /** Sources with more pixels (width × height) are rejected before decoding. */
  maxPixels: number;
  /** Checked between variants: sharp cannot stop a running resize (each < ~1 s). */
  signal?: AbortSignal;
  /** Per variant, default 30 s: sharp stops and the step fails (not permanent). */
  timeoutMs?: number;
  /** After each variant: 1/3, 2/3 … then exactly 1 once the results are in workDir. */
  onProgress?: (fraction: number) => void;
}

export interface TranscodeImageResult {
  probe: ImageProbe;
  outputs: ImageOutput[];
}
