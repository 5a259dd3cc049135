import { createHash } from 'node:crypto';
import { readFileSync, statSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { transcodeAudio } from '../../shared/transcode/mod';
import {
  TEST_ID,
  decodedSeconds,
  ffmpeg,
  ffprobe,
  listDir,
  packetSizes,
  peakDb,
  removeDir,
  tempDir,
} from './helpers';

/**
 * Every accepted audio format, made here with ffmpeg, goes through the step and comes back
 * as 320 kbps CBR 48 kHz MP3s, checked by decoding them again.
 *
 * Duration comparison point: the decoded sample count (helpers.decodedSeconds). LAME adds an
 * encoder delay (1105 samples at 48 kHz) and pads the last frame; ffmpeg's decoder removes
 * both using the Xing/LAME header we write, so a correct MP3 decodes to the source's length.
 */

// A title with exactly one space catches fluent-ffmpeg's option splitting.
const TITLE = 'My Song';
const ARTIST = 'Ann Ö & the Ünïcode Band';
const tagArgs = ['-metadata', `title=${TITLE}`, '-metadata', `artist=${ARTIST}`];
const sine = (rate: number, seconds = 3) => ['-f', 'lavfi', '-i', `sine=f=440:r=${rate}:d=${seconds}`];

let fixtures: string;
let work: string;

beforeAll(() => {
  fixtures = tempDir('audio-fixtures');
  work = tempDir('audio-work');
  const f = (name: string) => path.join(fixtures, name);
  ffmpeg('-f', 'lavfi', '-i', 'color=c=red:s=64x64', '-frames:v', '1', f('cover.jpg'));
  const cover = [
    '-i',
    f('cover.jpg'),
    '-map',
    '0:a',
    '-map',
    '1:v',
    '-c:v',
    'copy',
    '-disposition:v',
    'attached_pic',
  ];
  ffmpeg(
    ...sine(44100),
    ...cover,
    '-ac',
    '2',
    '-c:a',
    'libmp3lame',
    '-b:a',
    '192k',
    '-id3v2_version',
    '3',
    ...tagArgs,
    f('in.mp3'),
  );
  ffmpeg(...sine(44100), '-ac', '2', '-c:a', 'pcm_s16le', ...tagArgs, f('in16.wav'));
  ffmpeg(...sine(96000), '-ac', '2', '-c:a', 'pcm_s24le', ...tagArgs, f('in24-96k.wav'));
  ffmpeg(...sine(22050), '-ac', '1', '-c:a', 'pcm_s16le', ...tagArgs, f('mono.wav'));
  ffmpeg(...sine(44100), ...cover, '-ac', '2', '-c:a', 'flac', ...tagArgs, f('in.flac'));
  ffmpeg(...sine(44100), '-ac', '2', '-c:a', 'pcm_s16be', '-write_id3v2', '1', ...tagArgs, f('in.aiff'));
  ffmpeg(...sine(44100), ...cover, '-ac', '2', '-c:a', 'aac', '-b:a', '128k', ...tagArgs, f('in.m4a'));
  ffmpeg(...sine(44100), '-ac', '2', '-c:a', 'libvorbis', ...tagArgs, f('vorbis.ogg'));
  ffmpeg(...sine(48000), '-ac', '2', '-c:a', 'libopus', ...tagArgs, f('in.opus'));
  ffmpeg(...sine(44100), '-ac', '1', '-c:a', 'libmp3lame', '-b:a', '128k', ...tagArgs, f('mono.mp3'));
  // Raw ADTS and MPEG layer II streams cannot hold tags.
  ffmpeg(...sine(44100), '-ac', '2', '-c:a', 'aac', '-f', 'adts', f('raw.aac'));
  ffmpeg(...sine(44100), '-ac', '2', '-c:a', 'mp2', '-f', 'mp2', f('in.mp2'));
  ffmpeg(...sine(48000), '-ac', '2', '-c:a', 'libopus', ...tagArgs, '-f', 'webm', f('in.webm'));
  ffmpeg(...sine(44100), '-ac', '2', '-c:a', 'alac', ...tagArgs, '-f', 'caf', f('in.caf'));
  // 10 s of silence then 30 s of tone: shows where the preview starts.
  ffmpeg(
    ...['-f', 'lavfi', '-i', "aevalsrc=exprs='if(gte(t,10),0.5*sin(2*PI*440*t),0)':s=44100:d=40"],
    f('late.wav'),
  );
});

afterAll(() => {
  removeDir(fixtures);
  removeDir(work);
});

const CASES: { file: string; channels: number; codec: string; cover: boolean; tags: boolean }[] = [
  { file: 'in.mp3', channels: 2, codec: 'mp3', cover: true, tags: true },
  { file: 'in16.wav', channels: 2, codec: 'pcm_s16le', cover: false, tags: true },
  { file: 'in24-96k.wav', channels: 2, codec: 'pcm_s24le', cover: false, tags: true },
  { file: 'mono.wav', channels: 1, codec: 'pcm_s16le', cover: false, tags: true },
  { file: 'in.flac', channels: 2, codec: 'flac', cover: true, tags: true },
  { file: 'in.aiff', channels: 2, codec: 'pcm_s16be', cover: false, tags: true },
  { file: 'in.m4a', channels: 2, codec: 'aac', cover: true, tags: true },
  { file: 'vorbis.ogg', channels: 2, codec: 'vorbis', cover: false, tags: true },
  { file: 'in.opus', channels: 2, codec: 'opus', cover: false, tags: true },
  { file: 'mono.mp3', channels: 1, codec: 'mp3', cover: false, tags: true },
  { file: 'raw.aac', channels: 2, codec: 'aac', cover: false, tags: false },
  { file: 'in.mp2', channels: 2, codec: 'mp2', cover: false, tags: false },
  { file: 'in.webm', channels: 2, codec: 'opus', cover: false, tags: true },
  { file: 'in.caf', channels: 2, codec: 'alac', cover: false, tags: true },
];

describe('transcodeAudio on every accepted format', () => {
  test.each(CASES)('$file → 320 kbps CBR 48 kHz MP3 + preview, tags kept, cover dropped', async (c) => {
    // Prepare
    const dir = path.join(work, c.file.replace(/\W/g, '-'));
    mkdirSync(dir);
    const input = path.join(fixtures, c.file);
    const sourceSeconds = await decodedSeconds(input, 48000);

    // Act
    const result = await transcodeAudio({ input, workDir: dir, id: TEST_ID, maxDurationSeconds: 600 });

    // Assess: the probe describes the source
    expect(result.probe.codec).toBe(c.codec);
    expect(result.probe.channels).toBe(c.channels);
    if (c.tags) expect(result.probe.tags).toMatchObject({ title: TITLE, artist: ARTIST });
    else expect(result.probe.tags).toEqual({});
    expect(result.probe.otherStreams).toEqual(c.cover ? ['video:mjpeg'] : []);
    expect(result.previewStartSeconds).toBe(0);

    // Exactly the two results are left in workDir, nothing else.
    expect(listDir(dir)).toEqual([`${TEST_ID}_320.mp3`, `${TEST_ID}_preview.mp3`]);
    expect(result.outputs.map((o) => [o.variant, o.fileName, o.path, o.contentType])).toEqual([
      ['320', `${TEST_ID}_320.mp3`, path.join(dir, `${TEST_ID}_320.mp3`), 'audio/mpeg'],
      ['preview', `${TEST_ID}_preview.mp3`, path.join(dir, `${TEST_ID}_preview.mp3`), 'audio/mpeg'],
    ]);

    for (const output of result.outputs) {
      const bytes = readFileSync(output.path);
      expect(output.size).toBe(statSync(output.path).size);
      expect(output.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));

      const probed = await ffprobe(output.path);
      expect(probed.format.format_name).toBe('mp3');
      expect(probed.streams).toHaveLength(1); // no cover art, no video
      const [stream] = probed.streams;
      expect(stream).toMatchObject({ codec_type: 'audio', codec_name: 'mp3', sample_rate: '48000' });
      expect(stream.channels).toBe(c.channels);
      expect(stream.bit_rate).toBe('320000');
      expect(probed.format.tags).toEqual(c.tags ? { title: TITLE, artist: ARTIST } : undefined);
      // CBR: every frame is 144 · 320000 / 48000 = 960 bytes.
      expect(new Set(await packetSizes(output.path))).toEqual(new Set([960]));

      const decoded = await decodedSeconds(output.path);
      expect(Math.abs(decoded - sourceSeconds)).toBeLessThanOrEqual(0.05);
      // The reported duration counts the last frame's padding: within 24 ms above.
      expect(output.durationSeconds - decoded).toBeGreaterThanOrEqual(-0.001);
      expect(output.durationSeconds - decoded).toBeLessThanOrEqual(0.025);
    }
  });
});

describe('the preview', () => {
  test('defaults to 30 s in, moved earlier so 30 s fit: a 40 s track previews 10..40 s', async () => {
    // Prepare
    const dir = path.join(work, 'preview-default');
    mkdirSync(dir);

    // Act
    const result = await transcodeAudio({
      input: path.join(fixtures, 'late.wav'),
      workDir: dir,
      id: TEST_ID,
      maxDurationSeconds: 600,
    });

    // Assess
    expect(result.previewStartSeconds).toBe(10);
    const [full, preview] = result.outputs;
    expect(Math.abs((await decodedSeconds(full.path)) - 40)).toBeLessThanOrEqual(0.05);
    expect(Math.abs((await decodedSeconds(preview.path)) - 30)).toBeLessThanOrEqual(0.05);
    expect(preview.durationSeconds).toBeCloseTo(30, 1);
    // The tone starts at 10 s in the source, so at once in the preview.
    expect(await peakDb(preview.path, 0.1, 1)).toBeGreaterThan(-10);
  });

  test('starts where asked: from 2 s, the tone begins 8 s into the preview', async () => {
    // Prepare
    const dir = path.join(work, 'preview-2s');
    mkdirSync(dir);

    // Act
    const result = await transcodeAudio({
      input: path.join(fixtures, 'late.wav'),
      workDir: dir,
      id: TEST_ID,
      maxDurationSeconds: 600,
      previewStartSeconds: 2,
    });

    // Assess
    expect(result.previewStartSeconds).toBe(2);
    const preview = result.outputs[1];
    expect(Math.abs((await decodedSeconds(preview.path)) - 30)).toBeLessThanOrEqual(0.05);
    expect(await peakDb(preview.path, 0, 7.8)).toBeLessThan(-60);
    expect(await peakDb(preview.path, 8.2, 1)).toBeGreaterThan(-10);
  });

  test('a start past the end is clamped so the preview still holds 30 s', async () => {
    // Prepare
    const dir = path.join(work, 'preview-clamped');
    mkdirSync(dir);

    // Act
    const result = await transcodeAudio({
      input: path.join(fixtures, 'late.wav'),
      workDir: dir,
      id: TEST_ID,
      maxDurationSeconds: 600,
      previewStartSeconds: 1000,
    });

    // Assess
    expect(result.previewStartSeconds).toBe(10);
    expect(Math.abs((await decodedSeconds(result.outputs[1].path)) - 30)).toBeLessThanOrEqual(0.05);
  });
});

describe('determinism', () => {
  test('the same source gives byte-identical results (bitexact), so every node agrees on the digest', async () => {
    // Prepare
    const a = path.join(work, 'same-a');
    const b = path.join(work, 'same-b');
    mkdirSync(a);
    mkdirSync(b);
    const input = path.join(fixtures, 'in.flac');

    // Act
    const first = await transcodeAudio({ input, workDir: a, id: TEST_ID, maxDurationSeconds: 600 });
    const second = await transcodeAudio({ input, workDir: b, id: TEST_ID, maxDurationSeconds: 600 });

    // Assess
    expect(second.outputs.map((o) => o.sha256)).toEqual(first.outputs.map((o) => o.sha256));
  });
});
