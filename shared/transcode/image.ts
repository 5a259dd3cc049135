import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { asStepError, badOption, isEnvironmentError, rejectInput, transientFailure } from './failures';
import { variantPipeline } from './image-pipeline';
import { callSafely } from './progress';
import { publish, withScratchDir } from './scratch';
import { mismatchReason, type Sniffed } from './sniff';
import { sniffFile } from './sniff-file';
import { TEMPLATES, outputFileName, type ImageOutputSpec } from './templates';
import type { ImageOutput, ImageProbe, TranscodeImageOptions, TranscodeImageResult } from './types';
import { assertId } from './validate';

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * The image templates (DESIGN §4 step 2): sniff, read the header, refuse bombs, then one
 * sharp pipeline per variant, each re-encoded (the source bytes are never a result).
 * Failures follow transcodeAudio: bad input is permanent; a sharp timeout or a file-system
 * error is not; abort rejects with `signal.reason` between variants.
 */
export function transcodeImage(options: TranscodeImageOptions): Promise<TranscodeImageResult> {
  return run(options).catch((err: unknown) => {
    throw asStepError(err, options.signal);
  });
}

async function run(options: TranscodeImageOptions): Promise<TranscodeImageResult> {
  validate(options);
  options.signal?.throwIfAborted();
  const sniffed = await sniffFile(options.input);
  const mismatch = mismatchReason(options.template, sniffed);
  if (mismatch !== null) throw rejectInput(mismatch);
  const probe = await probeImage(options.input, sniffed);
  const pixels = probe.width * probe.height;
  if (pixels > options.maxPixels) {
    throw rejectInput(
      `the image is ${probe.width}×${probe.height} = ${pixels} pixels; the limit is ${options.maxPixels} (decompression bomb guard)`,
    );
  }

  return withScratchDir(options.workDir, options.id, async (scratch) => {
    const specs = TEMPLATES[options.template].outputs;
    const outputs: ImageOutput[] = [];
    for (const spec of specs) {
      options.signal?.throwIfAborted();
      outputs.push(await renderVariant(options, spec, scratch));
      if (outputs.length < specs.length) callSafely(options.onProgress, outputs.length / specs.length);
    }
    options.signal?.throwIfAborted();
    const paths = await publish(outputs, options.workDir).catch((err: unknown) => {
      throw transientFailure('the results could not be moved into the work directory', err);
    });
    return { probe, outputs: outputs.map((o, i) => ({ ...o, path: paths[i] })) };
  }).then((result) => {
    callSafely(options.onProgress, 1);
    return result;
  });
}

function validate(options: TranscodeImageOptions): void {
  assertId(options.id);
  if (options.template !== 'img_square' && options.template !== 'img_backdrop') {
    throw badOption(`template must be img_square or img_backdrop, got ${String(options.template)}`);
  }
  if (!Number.isInteger(options.maxPixels) || options.maxPixels < 1) {
    throw badOption('maxPixels must be a positive integer');
  }
  if (options.timeoutMs !== undefined && !(options.timeoutMs > 0))
    throw badOption('timeoutMs must be positive');
}

/** sharp's decoder names, per sniffed format. */
const SHARP_FORMAT: Record<string, string> = {
  jpeg: 'jpeg',
  png: 'png',
  webp: 'webp',
  gif: 'gif',
  tiff: 'tiff',
  avif: 'heif',
};

/** Reads the header only (no pixels are decoded, so no limit is needed yet). */
export async function probeImage(input: string, sniffed: Sniffed): Promise<ImageProbe> {
  const meta = await sharp(input, { limitInputPixels: false, pages: 1 })
    .metadata()
    .catch((err: unknown) => {
      throw rejectInput(`the ${sniffed.format} image is corrupt or truncated: ${messageOf(err, input)}`, err);
    });
  const heifOk = meta.format !== 'heif' || meta.compression === 'av1';
  if (meta.format !== SHARP_FORMAT[sniffed.format] || !heifOk) {
    throw rejectInput(
      `the image starts like ${sniffed.format} but decodes as ${meta.format} ${meta.compression ?? ''}`.trim(),
    );
  }
  if (!(meta.width > 0 && meta.height > 0)) throw rejectInput('the image has no pixels');
  return {
    format: meta.format,
    width: meta.width,
    height: meta.height,
    orientation: meta.orientation ?? null,
    displayWidth: meta.autoOrient?.width ?? meta.width,
    displayHeight: meta.autoOrient?.height ?? meta.height,
    space: meta.space,
    channels: meta.channels,
    depth: meta.depth,
    hasAlpha: meta.hasAlpha,
    hasProfile: meta.hasProfile,
    pages: meta.pages ?? 1,
  };
}

async function renderVariant(
  options: TranscodeImageOptions,
  spec: ImageOutputSpec,
  scratch: string,
): Promise<ImageOutput> {
  const seconds = Math.ceil((options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000);
  const { data, info } = await variantPipeline(options.input, spec, options.maxPixels)
    .timeout({ seconds })
    .toBuffer({ resolveWithObject: true })
    .catch((err: unknown) => {
      throw explainSharpFailure(err, options.input);
    });
  const fileName = outputFileName(options.id, spec.variant, spec.extension);
  const filePath = path.join(scratch, fileName);
  await writeFile(filePath, data).catch((err: unknown) => {
    throw transientFailure(`the ${spec.variant} result could not be written`, err);
  });
  return {
    variant: spec.variant,
    fileName,
    path: filePath,
    size: data.length,
    contentType: 'image/jpeg',
    sha256: createHash('sha256').update(data).digest('hex'),
    width: info.width,
    height: info.height,
  };
}

function explainSharpFailure(err: unknown, input: string): unknown {
  const message = messageOf(err, input);
  if (/timeout/i.test(message) || isEnvironmentError(err)) {
    return transientFailure(`the image step failed on this node: ${message}`, err);
  }
  if (/pixel limit/i.test(message)) return rejectInput(`the image is larger than allowed: ${message}`, err);
  return rejectInput(`the image could not be decoded: ${message}`, err);
}

function messageOf(err: unknown, input: string): string {
  // libvips reports one line per layer ("…corrupt header: VipsJpeg: …\nVipsJpeg: …") and
  // sometimes names the file; the uploader never saw our path.
  const text = err instanceof Error ? err.message : String(err);
  return text
    .replaceAll(path.resolve(input), 'the file')
    .replaceAll(input, 'the file')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join('; ');
}
