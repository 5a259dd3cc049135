/**
 * The upload templates (DESIGN §4 step 2) and what each one produces. This table is the one
 * place a variant, its size and its file name pattern are decided: the transcode code, the
 * step handlers and the job records all read it.
 */

/** Audio container formats `sniffType` recognises and the audio template accepts. */
export const AUDIO_FORMATS = [
  'mp3',
  'mp2',
  'aac',
  'wav',
  'flac',
  'aiff',
  'mp4',
  'ogg',
  'matroska',
  'caf',
] as const;

/**
 * Image formats the image templates accept. HEIC (HEVC-coded HEIF) is recognised but not
 * accepted: sharp's prebuilt libvips decodes only the AV1 flavour (AVIF), for patent reasons.
 */
export const IMAGE_FORMATS = ['jpeg', 'png', 'webp', 'gif', 'tiff', 'avif'] as const;

export type AudioFormat = (typeof AUDIO_FORMATS)[number];
export type ImageFormat = (typeof IMAGE_FORMATS)[number] | 'heic';

export const TEMPLATES = {
  audio: {
    kind: 'audio',
    accepts: AUDIO_FORMATS,
    outputs: [
      /** The full track: MP3 320 kbps CBR, 48 kHz. */
      { variant: '320', extension: 'mp3', contentType: 'audio/mpeg' },
      /** 30 s from the preview start, same encoding. */
      { variant: 'preview', extension: 'mp3', contentType: 'audio/mpeg' },
    ],
  },
  img_square: {
    kind: 'image',
    accepts: IMAGE_FORMATS,
    /** Exact squares, centre crop; a smaller source is scaled up so clients always get these sizes. */
    outputs: [
      { variant: '150', extension: 'jpg', contentType: 'image/jpeg', width: 150, height: 150 },
      { variant: '480', extension: 'jpg', contentType: 'image/jpeg', width: 480, height: 480 },
      { variant: '1000', extension: 'jpg', contentType: 'image/jpeg', width: 1000, height: 1000 },
    ],
  },
  img_backdrop: {
    kind: 'image',
    accepts: IMAGE_FORMATS,
    /**
     * Width only, aspect kept, never enlarged: a source narrower than `width` is produced at
     * the source's width under the same file name (`<id>_2000.jpg` may be 1200 px wide).
     */
    outputs: [
      { variant: '640', extension: 'jpg', contentType: 'image/jpeg', width: 640, height: null },
      { variant: '2000', extension: 'jpg', contentType: 'image/jpeg', width: 2000, height: null },
    ],
  },
} as const;

export type TemplateName = keyof typeof TEMPLATES;
export type ImageTemplateName = 'img_square' | 'img_backdrop';
export type AudioVariant = (typeof TEMPLATES.audio.outputs)[number]['variant'];
export type ImageVariant = (typeof TEMPLATES)[ImageTemplateName]['outputs'][number]['variant'];
export type Variant = AudioVariant | ImageVariant;
export type ImageOutputSpec = (typeof TEMPLATES)[ImageTemplateName]['outputs'][number];

export const TEMPLATE_NAMES = Object.keys(TEMPLATES) as TemplateName[];

export function isTemplateName(name: string): name is TemplateName {
  return Object.hasOwn(TEMPLATES, name);
}

/** `<id>_<variant>.<ext>` (DESIGN §3): the shard stays derivable from the name. */
export function outputFileName(id: string, variant: Variant, extension: string): string {
  return `${id}_${variant}.${extension}`;
}

/** The results a job of `template` will record, known before anything runs. */
export function expectedOutputs(
  template: TemplateName,
  id: string,
): { variant: Variant; fileName: string; contentType: string }[] {
  return TEMPLATES[template].outputs.map((o) => ({
    variant: o.variant,
    fileName: outputFileName(id, o.variant, o.extension),
    contentType: o.contentType,
  }));
}
