/**
 * Public surface of the transcode library (DESIGN §4 step 2) for the step handlers. Code that
 * HTTP functions bundle (upload intake, the client API) imports the one file it needs
 * instead: the Lambda bundles are CommonJS, which esbuild cannot tree-shake, so this barrel
 * would carry sharp's 20 MB native library into every HTTP function (test/deploy checks).
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
