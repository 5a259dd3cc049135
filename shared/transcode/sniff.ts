import { TEMPLATES, type TemplateName } from './templates';

/**
 * Magic-byte sniffing. The upload handler runs it on the first bytes of each part, so a file
 * that does not match its template is a 4xx before any job exists (DESIGN §4 step 1); the
 * transcode steps run it again on the file before ffprobe/sharp ever open it, and pin the
 * decoder to the sniffed format, so a playlist or an SVG can never make a decoder fetch
 * other files or URLs.
 */

export interface Sniffed {
  kind: 'audio' | 'image' | 'unknown';
  /** Container format: one of AUDIO_FORMATS / IMAGE_FORMATS, 'heic', or 'unknown'. */
  format: string;
  /** Codec when the container says it in its first bytes (Ogg: 'vorbis', 'opus', 'flac', 'speex'). */
  codec?: string;
}

/** Enough for every format here; an ID3v2 tag longer than this is reported as mp3 on its header. */
export const SNIFF_BYTES = 4096;

const UNKNOWN: Sniffed = { kind: 'unknown', format: 'unknown' };

export function sniffType(firstBytes: Buffer): Sniffed {
  return sniffAt(firstBytes, 0);
}

/** The audio template takes audio; the image templates take images they can decode. */
export function templateAccepts(template: TemplateName, sniffed: Sniffed): boolean {
  const spec = TEMPLATES[template];
  return spec.kind === sniffed.kind && (spec.accepts as readonly string[]).includes(sniffed.format);
}

/** Why `templateAccepts` said no, in words for the uploader; null when it accepts. */
export function mismatchReason(template: TemplateName, sniffed: Sniffed): string | null {
  if (templateAccepts(template, sniffed)) return null;
  const kind = TEMPLATES[template].kind;
  const accepted = kind === 'audio' ? AUDIO_LIST : IMAGE_LIST;
  if (sniffed.format === 'heic') {
    return `HEIC images cannot be decoded by this node; upload ${IMAGE_LIST}`;
  }
  if (sniffed.kind === 'unknown') {
    return `the file is not a recognised ${kind} format (accepted: ${accepted})`;
  }
  return `the file is ${sniffed.kind} (${sniffed.format}) but template ${template} needs ${kind} (${accepted})`;
}

const AUDIO_LIST = 'MP3, WAV, FLAC, AIFF, AAC/M4A, Ogg Vorbis/Opus, WebM/Matroska, CAF';
const IMAGE_LIST = 'JPEG, PNG, WebP, GIF, TIFF, AVIF';

/** Where an ID3v2 tag at `offset` ends (header + body + optional footer), or null if none. */
export function id3v2End(b: Buffer, offset = 0): number | null {
  if (!has(b, offset, 10) || ascii(b, offset, 3) !== 'ID3') return null;
  const major = b[offset + 3];
  const sizeBytes = b.subarray(offset + 6, offset + 10);
  if (major < 2 || major > 4 || b[offset + 4] === 0xff || sizeBytes.some((x) => x >= 0x80)) return null;
  // Synchsafe integer: 7 bits per byte (ID3v2.4 §3.1).
  const size = (sizeBytes[0] << 21) | (sizeBytes[1] << 14) | (sizeBytes[2] << 7) | sizeBytes[3];
  const footer = b[offset + 5] & 0x10 ? 10 : 0;
  return offset + 10 + size + footer;
}

function sniffAt(b: Buffer, offset: number): Sniffed {
  const tagEnd = id3v2End(b, offset);
  if (tagEnd !== null) {
    // ID3v2 usually fronts MP3, sometimes AAC or FLAC: look behind it when we can.
    const inner = tagEnd + 4 <= b.length ? sniffAt(b, skipZeros(b, tagEnd)) : UNKNOWN;
    return inner.kind === 'audio' ? inner : { kind: 'audio', format: 'mp3' };
  }
  return (
    sniffContainer(b, offset) ?? sniffImage(b, offset) ?? sniffAudioFrames(b, skipZeros(b, offset)) ?? UNKNOWN
  );
}

function sniffContainer(b: Buffer, o: number): Sniffed | null {
  const magic = ascii(b, o, 4);
  const sub = ascii(b, o + 8, 4);
  if ((magic === 'RIFF' || magic === 'RF64' || magic === 'BW64') && sub === 'WAVE') {
    return { kind: 'audio', format: 'wav' };
  }
  if (magic === 'RIFF' && sub === 'WEBP') return { kind: 'image', format: 'webp' };
  if (magic === 'FORM' && (sub === 'AIFF' || sub === 'AIFC')) return { kind: 'audio', format: 'aiff' };
  if (magic === 'fLaC') return { kind: 'audio', format: 'flac' };
  if (magic === 'caff') return { kind: 'audio', format: 'caf' };
  if (magic === 'OggS') return sniffOgg(b, o);
  if (has(b, o, 4) && b.readUInt32BE(o) === 0x1a45dfa3) return { kind: 'audio', format: 'matroska' };
  if (ascii(b, o + 4, 4) === 'ftyp') return sniffIsoBmff(b, o);
  return null;
}

function sniffOgg(b: Buffer, o: number): Sniffed {
  // Page header is 27 bytes + one lacing byte per segment; the first packet names the codec.
  const packet = has(b, o, 27) ? o + 27 + b[o + 26] : b.length;
  const codec =
    ascii(b, packet, 7) === '\x01vorbis'
      ? 'vorbis'
      : ascii(b, packet, 8) === 'OpusHead'
        ? 'opus'
        : ascii(b, packet, 5) === '\x7fFLAC'
          ? 'flac'
          : ascii(b, packet, 8) === 'Speex   '
            ? 'speex'
            : undefined;
  return codec ? { kind: 'audio', format: 'ogg', codec } : { kind: 'audio', format: 'ogg' };
}

const HEIC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1']);

function sniffIsoBmff(b: Buffer, o: number): Sniffed {
  const boxSize = has(b, o, 4) ? b.readUInt32BE(o) : 0;
  const end = Math.min(b.length, o + Math.max(boxSize, 16));
  const brands = [ascii(b, o + 8, 4)];
  for (let at = o + 16; at + 4 <= end; at += 4) brands.push(ascii(b, at, 4));
  // AVIF files are `mif1`/`msf1` images with an `avif` brand; HEIC the same with `heic`.
  if (brands.includes('avif') || brands.includes('avis')) return { kind: 'image', format: 'avif' };
  if (brands.some((x) => HEIC_BRANDS.has(x))) return { kind: 'image', format: 'heic' };
  return { kind: 'audio', format: 'mp4' };
}

function sniffImage(b: Buffer, o: number): Sniffed | null {
  if (has(b, o, 3) && b[o] === 0xff && b[o + 1] === 0xd8 && b[o + 2] === 0xff) {
    return { kind: 'image', format: 'jpeg' };
  }
  if (b.subarray(o, o + 8).equals(PNG_SIGNATURE)) return { kind: 'image', format: 'png' };
  const six = ascii(b, o, 6);
  if (six === 'GIF87a' || six === 'GIF89a') return { kind: 'image', format: 'gif' };
  const four = ascii(b, o, 4);
  // Classic TIFF (`*`, 42) and BigTIFF (`+`, 43), either byte order.
  if (four === 'II*\0' || four === 'MM\0*' || four === 'II+\0' || four === 'MM\0+') {
    return { kind: 'image', format: 'tiff' };
  }
  return null;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** MPEG audio or ADTS AAC frame sync; a second frame is checked when it is in the buffer. */
function sniffAudioFrames(b: Buffer, o: number): Sniffed | null {
  const mpeg = mpegFrame(b, o);
  if (mpeg && (!has(b, o + mpeg.length, 4) || mpegFrame(b, o + mpeg.length))) {
    return { kind: 'audio', format: mpeg.layer === 3 ? 'mp3' : 'mp2' };
  }
  const adts = adtsFrame(b, o);
  if (adts && (!has(b, o + adts, 2) || adtsFrame(b, o + adts))) return { kind: 'audio', format: 'aac' };
  return null;
}

// ISO 11172-3 / 13818-3 tables, kbit/s by [version is 1 ? 0 : 1][layer - 1][index].
const BITRATES = [
  [
    [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
    [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
    [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  ],
  [
    [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
    [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  ],
];
const SAMPLE_RATES: Record<number, number[]> = {
  3: [44100, 48000, 32000],
  2: [22050, 24000, 16000],
  0: [11025, 12000, 8000],
};

function mpegFrame(b: Buffer, o: number): { layer: number; length: number } | null {
  if (!has(b, o, 4)) return null;
  const h = b.readUInt32BE(o);
  const version = (h >>> 19) & 3; // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5, 1: reserved
  const layer = 4 - ((h >>> 17) & 3); // bits 01 = layer III
  const bitrateIndex = (h >>> 12) & 0xf;
  const rateIndex = (h >>> 10) & 3;
  if (h >>> 21 !== 0x7ff || version === 1 || layer === 4 || bitrateIndex === 0 || bitrateIndex === 15)
    return null;
  if (rateIndex === 3) return null;
  const kbps = BITRATES[version === 3 ? 0 : 1][layer - 1][bitrateIndex];
  const rate = SAMPLE_RATES[version][rateIndex];
  const padding = (h >>> 9) & 1;
  if (layer === 1) return { layer, length: (Math.floor((12 * kbps * 1000) / rate) + padding) * 4 };
  const factor = layer === 3 && version !== 3 ? 72 : 144;
  return { layer, length: Math.floor((factor * kbps * 1000) / rate) + padding };
}

/** Length of the ADTS frame at `o` (ISO 14496-3 §1.A.2), or null. */
function adtsFrame(b: Buffer, o: number): number | null {
  if (!has(b, o, 7) || b[o] !== 0xff || (b[o + 1] & 0xf6) !== 0xf0) return null;
  if (((b[o + 2] >> 2) & 0xf) > 12) return null;
  const length = ((b[o + 3] & 3) << 11) | (b[o + 4] << 3) | (b[o + 5] >> 5);
  return length >= 7 ? length : null;
}

function skipZeros(b: Buffer, o: number): number {
  while (o < b.length && b[o] === 0) o++;
  return o;
}

function has(b: Buffer, o: number, n: number): boolean {
  return o >= 0 && o + n <= b.length;
}

function ascii(b: Buffer, o: number, n: number): string {
  return has(b, o, n) ? b.toString('latin1', o, o + n) : '';
}
