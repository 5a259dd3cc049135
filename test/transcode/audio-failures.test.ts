import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StorageError } from '../../shared/errors';
import { transcodeAudio } from '../../shared/transcode/mod';
import {
  TEST_ID,
  childProcesses,
  ffmpeg,
  isAlive,
  listDir,
  removeDir,
  storageError,
  tempDir,
  freshDir,
} from './helpers';

/**
 * Bad input ends in a permanent TRANSCODE_FAILED with a reason a person can act on; node
 * trouble (timeout) in a non-permanent one; abort in the signal's reason. In every case
 * workDir is left exactly as it was and no ffmpeg/ffprobe process survives.
 */

let fixtures: string;
let work: string;
const f = (name: string) => path.join(fixtures, name);

beforeAll(() => {
  fixtures = tempDir('audio-bad-fixtures');
  work = tempDir('audio-bad-work');
  writeFileSync(f('notes.txt'), 'These are my liner notes, not a song.\n');
  ffmpeg('-f', 'lavfi', '-i', 'color=c=red:s=64x64', '-frames:v', '1', f('cover.jpg'));
  ffmpeg('-f', 'lavfi', '-i', 'sine=d=2', '-c:a', 'flac', f('good.flac'));
  // Corrupt: a real FLAC header, then noise where the frames were.
  const flac = readFileSync(f('good.flac'));
  writeFileSync(f('garbled.flac'), Buffer.concat([flac.subarray(0, 200), randomBytes(flac.length - 200)]));
  // Corrupt: the FLAC magic and nothing a parser can use.
  writeFileSync(f('broken.flac'), Buffer.concat([Buffer.from('fLaC'), randomBytes(4000)]));
  ffmpeg('-f', 'lavfi', '-i', 'color=c=blue:s=32x32:d=1', '-c:v', 'mpeg4', f('video-only.mp4'));
  ffmpeg('-f', 'lavfi', '-i', 'sine=d=1', '-t', '0', '-c:a', 'pcm_s16le', f('empty.wav'));
  ffmpeg('-f', 'lavfi', '-i', 'sine=d=3', '-c:a', 'pcm_s16le', f('three-seconds.wav'));
  // An MP3 without a Xing header: ffprobe estimates its length from the first frame's bit
  // rate, so 2 s at 320k followed by 60 s at 32k "is" 8 s long.
  const noXing = ['-write_xing', '0', '-id3v2_version', '0', '-c:a', 'libmp3lame'];
  ffmpeg('-f', 'lavfi', '-i', 'sine=d=2', ...noXing, '-b:a', '320k', f('fast.mp3'));
  ffmpeg('-f', 'lavfi', '-i', 'sine=d=60', ...noXing, '-b:a', '32k', f('slow.mp3'));
  writeFileSync(f('lying.mp3'), Buffer.concat([readFileSync(f('fast.mp3')), readFileSync(f('slow.mp3'))]));
  // Long enough for several progress reports and to be caught mid-encode.
  ffmpeg(
    '-f',
    'lavfi',
    '-i',
    'anoisesrc=d=120:c=pink:r=44100:a=0.3',
    '-ac',
    '2',
    '-c:a',
    'pcm_s16le',
    f('long.wav'),
  );
});

afterAll(() => {
  removeDir(fixtures);
  removeDir(work);
});

describe('rejected input: permanent TRANSCODE_FAILED, readable reason, nothing left behind', () => {
  const cases: { name: string; file: string; max?: number; reason: RegExp }[] = [
    {
      name: 'a text file',
      file: 'notes.txt',
      reason: /^the file is not audio: its first bytes match no supported audio format$/,
    },
    { name: 'an image', file: 'cover.jpg', reason: /^the file is not audio: it is a jpeg image$/ },
    {
      name: 'a corrupt file (format magic, no parsable header)',
      file: 'broken.flac',
      reason: /^the file starts like flac but is corrupt or truncated \(ffprobe: .+\)$/,
    },
    {
      name: 'a corrupt file (valid header, undecodable frames)',
      file: 'garbled.flac',
      reason: /^the file contains no decodable audio \(zero duration or corrupt data\)$/,
    },
    {
      name: 'no audio stream',
      file: 'video-only.mp4',
      reason: /^the file has no audio stream \(it holds video:mpeg4\)$/,
    },
    { name: 'zero duration', file: 'empty.wav', reason: /zero duration/ },
    {
      name: 'too long',
      file: 'three-seconds.wav',
      max: 2,
      reason: /^the audio is 3\.0 s long; the limit is 2 s$/,
    },
    {
      name: 'too long behind a header that says otherwise (work capped at the limit + 1 s)',
      file: 'lying.mp3',
      max: 10,
      reason: /^the audio is longer than the limit of 10 s \(its header said less\)$/,
    },
  ];

  test.each(cases)('$name', async (c) => {
    // Prepare
    const dir = freshDir(work, c.file.replace(/\W/g, '-') + (c.max ?? ''));

    // Act
    const err = await storageError(
      transcodeAudio({ input: f(c.file), workDir: dir, id: TEST_ID, maxDurationSeconds: c.max ?? 600 }),
    );

    // Assess
    expect(err).toMatchObject({ code: 'TRANSCODE_FAILED', statusCode: 422, permanent: true });
    expect(err.message).toMatch(c.reason);
    expect(err.message).not.toContain(fixtures); // no node paths in a job record
    expect(listDir(dir)).toEqual([]);
    expect(childProcesses('ffmpeg')).toEqual([]);
  });

  test('bad options are the caller’s bug: VALIDATION_FAILED / BAD_ID before any work', async () => {
    const dir = freshDir(work, 'bad-options');
    const base = { input: f('three-seconds.wav'), workDir: dir, id: TEST_ID, maxDurationSeconds: 600 };
    await expect(transcodeAudio({ ...base, id: '../escape' })).rejects.toMatchObject({ code: 'BAD_ID' });
    await expect(transcodeAudio({ ...base, maxDurationSeconds: 0 })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(transcodeAudio({ ...base, previewStartSeconds: Number.NaN })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(transcodeAudio({ ...base, threads: 0 })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect(listDir(dir)).toEqual([]);
  });
});

describe('progress', () => {
  test('increasing fractions, at most one per 250 ms, ending at exactly 1', async () => {
    // Prepare
    const dir = freshDir(work, 'progress');
    const seen: { fraction: number; at: number }[] = [];

    // Act
    await transcodeAudio({
      input: f('long.wav'),
      workDir: dir,
      id: TEST_ID,
      maxDurationSeconds: 600,
      onProgress: (fraction) => seen.push({ fraction, at: performance.now() }),
    });

    // Assess
    const fractions = seen.map((s) => s.fraction);
    expect(fractions.length).toBeGreaterThanOrEqual(3); // 120 s takes well over a second to encode
    expect(fractions.at(-1)).toBe(1);
    for (let i = 1; i < seen.length; i++) {
      expect(fractions[i]).toBeGreaterThan(fractions[i - 1]);
      if (i < seen.length - 1) expect(seen[i].at - seen[i - 1].at).toBeGreaterThanOrEqual(249);
    }
    expect(fractions.slice(0, -1).every((x) => x > 0 && x < 1)).toBe(true);
  });
});

describe('abort and timeout', () => {
  test('abort kills ffmpeg mid-encode, rejects with the reason and removes every temp file', async () => {
    // Prepare
    const dir = freshDir(work, 'abort');
    const controller = new AbortController();
    const reason = new Error('worker shutting down');
    let runningAtAbort: number[] = [];

    // Act
    const outcome = await transcodeAudio({
      input: f('long.wav'),
      workDir: dir,
      id: TEST_ID,
      maxDurationSeconds: 600,
      signal: controller.signal,
      onProgress: () => {
        if (controller.signal.aborted) return;
        runningAtAbort = childProcesses('ffmpeg');
        controller.abort(reason);
      },
    }).catch((e: unknown) => e);

    // Assess
    expect(outcome).toBe(reason);
    expect(runningAtAbort).toHaveLength(1);
    expect(isAlive(runningAtAbort[0])).toBe(false);
    expect(childProcesses('ffmpeg')).toEqual([]);
    expect(listDir(dir)).toEqual([]);
  });

  test('an already-aborted signal rejects before anything starts', async () => {
    const dir = freshDir(work, 'pre-aborted');
    const reason = new Error('too late');
    const outcome = await transcodeAudio({
      input: f('long.wav'),
      workDir: dir,
      id: TEST_ID,
      maxDurationSeconds: 600,
      signal: AbortSignal.abort(reason),
    }).catch((e: unknown) => e);
    expect(outcome).toBe(reason);
    expect(listDir(dir)).toEqual([]);
  });

  test('a timeout kills ffmpeg and fails non-permanently (redelivery may find a faster node)', async () => {
    // Prepare
    const dir = freshDir(work, 'timeout');

    // Act
    const err = await storageError(
      transcodeAudio({
        input: f('long.wav'),
        workDir: dir,
        id: TEST_ID,
        maxDurationSeconds: 600,
        timeoutMs: 300,
      }),
    );

    // Assess
    expect(err).toBeInstanceOf(StorageError);
    expect(err).toMatchObject({ code: 'TRANSCODE_FAILED', permanent: false });
    expect(err.message).toMatch(/^ffmpeg did not finish within 300 ms: ffmpeg was killed/);
    expect(childProcesses('ffmpeg')).toEqual([]);
    expect(listDir(dir)).toEqual([]);
  });
});
