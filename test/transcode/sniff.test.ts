import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import {
  mismatchReason,
  sniffFile,
  sniffType,
  templateAccepts,
  SNIFF_BYTES,
} from '../../shared/transcode/mod';
import { ffmpeg, removeDir, tempDir } from './helpers';

/** Magic bytes first from hand-made headers, then from real files made by ffmpeg and sharp. */

const bytes = (...parts: (string | number[] | Buffer)[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
const u32 = (n: number) => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const zeros = (n: number) => Buffer.alloc(n);
// MPEG-1 layer III, 128 kbps, 44.1 kHz, no padding: 144 · 128000 / 44100 = 417 bytes per frame.
const MP3_FRAME = bytes([0xff, 0xfb, 0x90, 0x64], zeros(413));
// ADTS AAC-LC 44.1 kHz stereo, frame length 10 bytes.
const ADTS_FRAME = bytes([0xff, 0xf1, 0x50, 0x80, 0x01, 0x5f, 0xfc], zeros(3));
const id3 = (bodySize: number) =>
  bytes(
    'ID3',
    [3, 0, 0],
    [(bodySize >> 21) & 0x7f, (bodySize >> 14) & 0x7f, (bodySize >> 7) & 0x7f, bodySize & 0x7f],
  );
const ftyp = (major: string, ...compatible: string[]) =>
  bytes(u32(16 + 4 * compatible.length), 'ftyp', major, [0, 0, 0, 0], ...compatible);
const ogg = (packet: string) => bytes('OggS', zeros(22), [1, packet.length], packet);

describe('sniffType on hand-made headers', () => {
  test.each([
    ['MP3 by frame sync (two frames)', bytes(MP3_FRAME, MP3_FRAME), 'audio', 'mp3'],
    ['MP3 behind leading zero bytes', bytes(zeros(7), MP3_FRAME, MP3_FRAME), 'audio', 'mp3'],
    ['MP3 behind an ID3v2 tag', bytes(id3(20), zeros(20), MP3_FRAME, MP3_FRAME), 'audio', 'mp3'],
    ['an ID3v2 tag longer than the buffer', bytes(id3(100_000), zeros(100)), 'audio', 'mp3'],
    ['FLAC behind an ID3v2 tag', bytes(id3(10), zeros(10), 'fLaC', zeros(40)), 'audio', 'flac'],
    ['MPEG layer II', bytes([0xff, 0xfd, 0x90, 0x04], zeros(400)), 'audio', 'mp2'],
    ['ADTS AAC', bytes(ADTS_FRAME, ADTS_FRAME), 'audio', 'aac'],
    ['WAV (RIFF)', bytes('RIFF', u32(100), 'WAVE', 'fmt '), 'audio', 'wav'],
    ['WAV (RF64)', bytes('RF64', u32(0xffffffff), 'WAVE', 'ds64'), 'audio', 'wav'],
    ['AIFF', bytes('FORM', u32(100), 'AIFF', 'COMM'), 'audio', 'aiff'],
    ['AIFF-C', bytes('FORM', u32(100), 'AIFC', 'FVER'), 'audio', 'aiff'],
    ['FLAC', bytes('fLaC', [0, 0, 0, 34]), 'audio', 'flac'],
    ['M4A', ftyp('M4A ', 'M4A ', 'mp42', 'isom'), 'audio', 'mp4'],
    ['MP4 (isom)', ftyp('isom', 'iso2', 'mp41'), 'audio', 'mp4'],
    ['Matroska/WebM', bytes([0x1a, 0x45, 0xdf, 0xa3], zeros(20)), 'audio', 'matroska'],
    ['CAF', bytes('caff', [0, 1, 0, 0]), 'audio', 'caf'],
    ['JPEG', bytes([0xff, 0xd8, 0xff, 0xe0], zeros(12)), 'image', 'jpeg'],
    ['PNG', bytes([0x89], 'PNG\r\n\x1a\n', zeros(8)), 'image', 'png'],
    ['GIF87a', bytes('GIF87a', zeros(8)), 'image', 'gif'],
    ['GIF89a', bytes('GIF89a', zeros(8)), 'image', 'gif'],
    ['WebP', bytes('RIFF', u32(100), 'WEBP', 'VP8 '), 'image', 'webp'],
    ['TIFF little-endian', bytes('II*\0', zeros(8)), 'image', 'tiff'],
    ['TIFF big-endian', bytes('MM\0*', zeros(8)), 'image', 'tiff'],
    ['BigTIFF', bytes('II+\0', zeros(8)), 'image', 'tiff'],
    ['AVIF', ftyp('avif', 'mif1', 'miaf'), 'image', 'avif'],
    ['AVIF under a mif1 major brand', ftyp('mif1', 'avif', 'miaf'), 'image', 'avif'],
    ['HEIC', ftyp('heic', 'mif1', 'heic'), 'image', 'heic'],
  ])('%s', (_name, buffer, kind, format) => {
    expect(sniffType(buffer)).toMatchObject({ kind, format });
  });

  test.each([
    ['Ogg Vorbis', ogg('\x01vorbis'), 'vorbis'],
    ['Ogg Opus', ogg('OpusHead'), 'opus'],
    ['Ogg FLAC', ogg('\x7fFLAC\x01\x00'), 'flac'],
  ])('%s names its codec', (_name, buffer, codec) => {
    expect(sniffType(buffer)).toEqual({ kind: 'audio', format: 'ogg', codec });
  });

  test.each([
    ['nothing', Buffer.alloc(0)],
    ['text', bytes('Hello, this is a text file')],
    ['SVG', bytes('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>')],
    [
      'an HLS playlist (ffmpeg would fetch what it lists)',
      bytes('#EXTM3U\n#EXTINF:10,\nhttp://169.254.169.254/\n'),
    ],
    ['AVI', bytes('RIFF', u32(100), 'AVI ', 'LIST')],
    ['one MP3-like header followed by noise', bytes([0xff, 0xfb, 0x90, 0x64], zeros(413), 'not a frame')],
    ['PDF', bytes('%PDF-1.7\n')],
  ])('%s is unknown', (_name, buffer) => {
    expect(sniffType(buffer)).toEqual({ kind: 'unknown', format: 'unknown' });
  });
});

describe('templateAccepts and mismatchReason', () => {
  test('audio takes audio formats; image templates take decodable image formats', () => {
    expect(templateAccepts('audio', { kind: 'audio', format: 'flac' })).toBe(true);
    expect(templateAccepts('img_square', { kind: 'image', format: 'avif' })).toBe(true);
    expect(templateAccepts('img_backdrop', { kind: 'image', format: 'png' })).toBe(true);
    expect(templateAccepts('audio', { kind: 'image', format: 'jpeg' })).toBe(false);
    expect(templateAccepts('img_square', { kind: 'audio', format: 'mp3' })).toBe(false);
    expect(templateAccepts('img_square', { kind: 'image', format: 'heic' })).toBe(false);
    expect(templateAccepts('audio', { kind: 'unknown', format: 'unknown' })).toBe(false);
  });

  test('the reasons say what was found and what is accepted', () => {
    expect(mismatchReason('audio', { kind: 'audio', format: 'wav' })).toBeNull();
    expect(mismatchReason('audio', { kind: 'image', format: 'png' })).toBe(
      'the file is image (png) but template audio needs audio (MP3, WAV, FLAC, AIFF, AAC/M4A, Ogg Vorbis/Opus, WebM/Matroska, CAF)',
    );
    expect(mismatchReason('img_square', { kind: 'unknown', format: 'unknown' })).toBe(
      'the file is not a recognised image format (accepted: JPEG, PNG, WebP, GIF, TIFF, AVIF)',
    );
    expect(mismatchReason('img_backdrop', { kind: 'image', format: 'heic' })).toBe(
      'HEIC images cannot be decoded by this node; upload JPEG, PNG, WebP, GIF, TIFF, AVIF',
    );
  });
});

describe('sniffing real files', () => {
  let dir: string;
  const f = (name: string) => path.join(dir, name);
  const head = (name: string) => readFileSync(f(name)).subarray(0, SNIFF_BYTES);

  beforeAll(async () => {
    dir = tempDir('sniff');
    const tone = ['-f', 'lavfi', '-i', 'sine=d=0.2'];
    ffmpeg(...tone, '-c:a', 'libmp3lame', f('plain.mp3'));
    ffmpeg(...tone, '-c:a', 'aac', '-f', 'adts', f('raw.aac'));
    ffmpeg(...tone, '-c:a', 'pcm_s24le', f('a.wav'));
    ffmpeg(...tone, '-c:a', 'flac', f('a.flac'));
    ffmpeg(...tone, '-c:a', 'pcm_s16be', f('a.aiff'));
    ffmpeg(...tone, '-c:a', 'aac', f('a.m4a'));
    ffmpeg(...tone, '-c:a', 'libvorbis', f('a.ogg'));
    ffmpeg(...tone, '-c:a', 'libopus', f('a.opus'));
    ffmpeg(...tone, '-c:a', 'libopus', f('a.webm'));
    // A 20 kB cover makes the ID3v2 tag far longer than the sniffed head.
    ffmpeg('-f', 'lavfi', '-i', 'testsrc=s=256x256', '-frames:v', '1', '-q:v', '1', f('cover.jpg'));
    ffmpeg(
      ...tone,
      '-i',
      f('cover.jpg'),
      '-map',
      '0:a',
      '-map',
      '1:v',
      '-c:v',
      'copy',
      '-c:a',
      'libmp3lame',
      f('cover.mp3'),
    );
    const flac = readFileSync(f('a.flac'));
    writeFileSync(f('id3.flac'), Buffer.concat([id3(10_000), zeros(10_000), flac]));
    const rgb = sharp({ create: { width: 8, height: 8, channels: 3, background: '#336699' } });
    await rgb.clone().jpeg().toFile(f('a.jpg'));
    await rgb.clone().png().toFile(f('a.png'));
    await rgb.clone().webp().toFile(f('a.webp'));
    await rgb.clone().gif().toFile(f('a.gif'));
    await rgb.clone().tiff().toFile(f('a.tiff'));
    await rgb.clone().avif().toFile(f('a.avif'));
  });

  afterAll(() => removeDir(dir));

  test.each([
    ['plain.mp3', 'audio', 'mp3'],
    ['raw.aac', 'audio', 'aac'],
    ['a.wav', 'audio', 'wav'],
    ['a.flac', 'audio', 'flac'],
    ['a.aiff', 'audio', 'aiff'],
    ['a.m4a', 'audio', 'mp4'],
    ['a.ogg', 'audio', 'ogg'],
    ['a.opus', 'audio', 'ogg'],
    ['a.webm', 'audio', 'matroska'],
    ['cover.mp3', 'audio', 'mp3'],
    ['a.jpg', 'image', 'jpeg'],
    ['a.png', 'image', 'png'],
    ['a.webp', 'image', 'webp'],
    ['a.gif', 'image', 'gif'],
    ['a.tiff', 'image', 'tiff'],
    ['a.avif', 'image', 'avif'],
  ])('%s: %s/%s from its first bytes and from the file', async (name, kind, format) => {
    expect(sniffType(head(name))).toMatchObject({ kind, format });
    expect(await sniffFile(f(name))).toMatchObject({ kind, format });
  });

  test('FLAC behind a long ID3v2 tag: the head alone says mp3, the file says flac', async () => {
    expect(sniffType(head('id3.flac'))).toEqual({ kind: 'audio', format: 'mp3' });
    expect(await sniffFile(f('id3.flac'))).toEqual({ kind: 'audio', format: 'flac' });
  });
});
