import sharp from 'sharp';
import type { ImageOutputSpec } from './templates';

/**
 * The image settings, in one place for the step and the docs. Quality 90 progressive with
 * 4:2:0 chroma: visually lossless for artwork at these sizes, and progressive JPEGs draw
 * early on slow links. mozjpeg stays off: bench/transcode.ts measured 1.7× the time for
 * 13 % fewer bytes on the square variants of a 4000×4000 source (docs/transcoding.md).
 */
export const JPEG_SETTINGS = {
  quality: 90,
  progressive: true,
  chromaSubsampling: '4:2:0',
  mozjpeg: false,
} as const;

/** Transparent areas become white, as on the clients' light backgrounds. */
export const FLATTEN_BACKGROUND = '#ffffff';

/**
 * Decoder options. `failOn: 'error'` rejects broken or truncated pixel data but accepts the
 * harmless warnings many camera JPEGs carry; `pages: 1` takes the first frame of a GIF or
 * page of a TIFF; `limitInputPixels` refuses decompression bombs before allocating;
 * `autoOrient` applies the EXIF orientation (what `.rotate()` without an angle does).
 */
export function decoderOptions(maxPixels: number): sharp.SharpOptions {
  return { limitInputPixels: maxPixels, failOn: 'error', pages: 1, page: 0, autoOrient: true };
}

/**
 * One variant: orient, resize (centre-cropped square, or width-bound and never enlarged),
 * flatten alpha, convert to 8-bit sRGB (CMYK, 16-bit and ICC-profiled sources), encode.
 * No `withMetadata`/`keepExif`/`keepIccProfile`: sharp writes no EXIF, XMP, IPTC or ICC.
 */
export function variantPipeline(input: string, spec: ImageOutputSpec, maxPixels: number): sharp.Sharp {
  const image = sharp(input, decoderOptions(maxPixels));
  const resized =
    spec.height === null
      ? image.resize({ width: spec.width, withoutEnlargement: true })
      : image.resize({ width: spec.width, height: spec.height, fit: 'cover', position: 'centre' });
  return resized.flatten({ background: FLATTEN_BACKGROUND }).toColourspace('srgb').jpeg(JPEG_SETTINGS);
}
