import fs from 'node:fs/promises';
import path from 'node:path';
import { sniffFile } from '../transcode/sniff-file';
import type { Job } from './types';

/** The variant name the original upload is kept under (`<id>_original.<ext>`). */
export const ORIGINAL_VARIANT = 'original';

/** File extension and content type of each container the templates accept (sniff.ts names). */
const FORMATS: Record<string, { ext: string; contentType: string }> = {
  mp3: { ext: 'mp3', contentType: 'audio/mpeg' },
  mp2: { ext: 'mp2', contentType: 'audio/mpeg' },
  aac: { ext: 'aac', contentType: 'audio/aac' },
  wav: { ext: 'wav', contentType: 'audio/wav' },
  flac: { ext: 'flac', contentType: 'audio/flac' },
  aiff: { ext: 'aiff', contentType: 'audio/aiff' },
  mp4: { ext: 'm4a', contentType: 'audio/mp4' },
  ogg: { ext: 'ogg', contentType: 'audio/ogg' },
  matroska: { ext: 'mka', contentType: 'audio/x-matroska' },
  caf: { ext: 'caf', contentType: 'audio/x-caf' },
  jpeg: { ext: 'jpg', contentType: 'image/jpeg' },
  png: { ext: 'png', contentType: 'image/png' },
  webp: { ext: 'webp', contentType: 'image/webp' },
  gif: { ext: 'gif', contentType: 'image/gif' },
  tiff: { ext: 'tif', contentType: 'image/tiff' },
  avif: { ext: 'avif', contentType: 'image/avif' },
};

/**
 * The upload itself as one more result of its job (issue 16: mediorum keeps originals, and
 * re-made previews and `orig_file_cid` need them). Stored, replicated and repaired like every
 * other result; named by the container its bytes are, not by the uploader's file name.
 */
export async function originalOutput(job: Job, sourcePath: string) {
  const sniffed = await sniffFile(sourcePath);
  const format = FORMATS[sniffed.format] ?? { ext: 'bin', contentType: 'application/octet-stream' };
  const fileName = `${job.id}_${ORIGINAL_VARIANT}.${format.ext}`;
  const { size } = await fs.stat(sourcePath);
  return {
    variant: ORIGINAL_VARIANT,
    fileName,
    path: sourcePath,
    size,
    contentType: format.contentType,
    sha256: job.source_sha256,
  };
}

/** Whether a result file name is a kept original. */
export function isOriginal(fileName: string): boolean {
  return path.basename(fileName).split('.')[0].endsWith(`_${ORIGINAL_VARIANT}`);
}
