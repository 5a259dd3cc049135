/**
 * Public surface of the transcode library (DESIGN §4 step 2). Step handlers import from here
 * only; everything else in this folder is an implementation detail.
 */
export {
  TEMPLATES,
  TEMPLATE_NAMES,
  AUDIO_FORMATS,
  IMAGE_FORMATS,
  isTemplateName,
  outputFileName,
  expectedOutputs,
} from './templates';
export type {
  TemplateName,
  ImageTemplateName,
  AudioVariant,
  ImageVariant,
  Variant,
  AudioFormat,
  ImageFormat,
} from './templates';
export { sniffType, templateAccepts, mismatchReason, SNIFF_BYTES } from './sniff';
export type { Sniffed } from './sniff';
export { sniffFile } from './sniff-file';
export { probeMedia, TAG_KEYS } from './probe';
export type { MediaProbe, AudioTags, TagKey } from './probe';
export { transcodeAudio } from './audio';
export { AUDIO_ENCODING, previewWindow } from './audio-plan';
export { transcodeImage, probeImage } from './image';
export { JPEG_SETTINGS, FLATTEN_BACKGROUND } from './image-pipeline';
export { PROGRESS_INTERVAL_MS } from './progress';
export { hashFile } from './scratch';
export type {
  TranscodeOutput,
  AudioOutput,
  ImageOutput,
  ImageProbe,
  TranscodeAudioOptions,
  TranscodeAudioResult,
  TranscodeImageOptions,
  TranscodeImageResult,
} from './types';
