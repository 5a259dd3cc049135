import path from 'node:path';
import { planAudio, previewWindow } from '../../shared/transcode/audio-plan';
import { FfmpegFailure, ffmpegArgv, runFfmpeg } from '../../shared/transcode/ffmpeg';
import { runFfprobe } from '../../shared/transcode/ffprobe';
import type { MediaProbe } from '../../shared/transcode/probe';
import { createProgressReporter } from '../../shared/transcode/progress';
import { childProcesses, ffmpeg, listDir, removeDir, tempDir } from './helpers';

const PROBE: MediaProbe = {
  container: 'flac',
  format: 'flac',
  formatLongName: 'raw FLAC',
  duration: 200,
  bitRate: 900_000,
  sampleRate: 44100,
  channels: 2,
  channelLayout: 'stereo',
  codec: 'flac',
  bitsPerSample: 16,
  audioStreams: 1,
  otherStreams: ['video:mjpeg'],
  tags: { title: 'My Song', artist: 'Ann' },
};

describe('planAudio', () => {
  test('the exact ffmpeg arguments (docs/transcoding.md quotes them)', () => {
    // Act
    const plan = planAudio(PROBE, {
      input: '/in/upload.flac',
      outDir: '/work/scratch',
      id: 'abc',
      maxDurationSeconds: 600,
      threads: 2,
    });

    // Assess
    const encode = [
      ...['-map', '0:a:0', '-map_metadata', '-1', '-map_chapters', '-1', '-vn', '-sn', '-dn'],
      ...['-c:a', 'libmp3lame', '-b:a', '320k', '-ar', '48000', '-ac', '2', '-threads', '2'],
      ...['-id3v2_version', '3', '-write_xing', '1', '-fflags', '+bitexact', '-flags:a', '+bitexact'],
      ...['-metadata', 'title=My Song', '-metadata', 'artist=Ann', '-f', 'mp3'],
    ];
    expect(ffmpegArgv(plan.invocation)).toEqual([
      ...[
        '-hide_banner',
        '-nostdin',
        '-nostats',
        '-loglevel',
        'error',
        '-progress',
        'pipe:2',
        '-stats_period',
        '0.25',
      ],
      ...['-y', '-threads', '2', '-f', 'flac', '-i', 'file:/in/upload.flac'],
      ...[...encode, '-t', '601', 'file:/work/scratch/abc_320.mp3'],
      ...['-ss', '30', '-t', '30', ...encode, 'file:/work/scratch/abc_preview.mp3'],
    ]);
    expect(plan.outputs).toEqual([
      { variant: '320', fileName: 'abc_320.mp3', path: '/work/scratch/abc_320.mp3' },
      { variant: 'preview', fileName: 'abc_preview.mp3', path: '/work/scratch/abc_preview.mp3' },
    ]);
    expect(plan.expectedSeconds).toBe(200);
  });

  test('mono stays mono; the demuxer is pinned to the sniffed container', () => {
    const plan = planAudio(
      { ...PROBE, container: 'mp4', channels: 1, tags: {} },
      { input: '/in/a', outDir: '/o', id: 'abc', maxDurationSeconds: 600, threads: 1 },
    );
    const argv = ffmpegArgv(plan.invocation);
    expect(argv.slice(argv.indexOf('-i') - 4, argv.indexOf('-i'))).toEqual(['-threads', '1', '-f', 'mov']);
    expect(argv.filter((_a, i) => argv[i - 1] === '-ac')).toEqual(['1', '1']);
    expect(argv).not.toContain('-metadata');
  });
});

describe('previewWindow', () => {
  test.each([
    [200, undefined, 30, 30],
    [40, undefined, 10, 30],
    [60, undefined, 30, 30],
    [20, undefined, 0, 20],
    [200, 0, 0, 30],
    [200, 12.3456, 12.346, 30],
    [200, 500, 170, 30],
    [200, -5, 0, 30],
    [null, undefined, 0, 30],
    [null, 45, 45, 30],
  ])('duration %p, asked %p → start %p, length %p', (duration, asked, start, length) => {
    expect(previewWindow(duration, asked)).toEqual({ start, length });
  });
});

describe('createProgressReporter', () => {
  test('increasing, throttled to 250 ms, capped below 1, silent without a total', () => {
    // Prepare
    let clock = 0;
    const seen: number[] = [];
    const report = createProgressReporter(
      100,
      (f) => seen.push(f),
      () => clock,
    );
    const at = (ms: number, seconds: number | null) => {
      clock = ms;
      report({ outTimeSeconds: seconds, done: false });
    };

    // Act
    at(0, 10);
    at(100, 20); // too soon
    at(300, 30);
    at(600, 25); // not increasing
    at(900, null); // N/A
    at(1200, 100);
    at(1500, 250);

    // Assess
    expect(seen).toEqual([0.1, 0.3, 0.99]);
    const silent: number[] = [];
    createProgressReporter(null, (f) => silent.push(f))({ outTimeSeconds: 5, done: false });
    expect(silent).toEqual([]);
  });
});

describe('runFfmpeg (the fluent-ffmpeg wrapper)', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('runner');
    ffmpeg('-f', 'lavfi', '-i', 'sine=d=1', '-c:a', 'pcm_s16le', path.join(dir, 'in put.wav'));
  });
  afterAll(() => removeDir(dir));

  test('spawns exactly ffmpegArgv (names with spaces stay one argument) and reports the end', async () => {
    // Prepare
    const invocation = {
      inputOptions: ['-f', 'wav'],
      input: path.join(dir, 'in put.wav'),
      outputs: [
        {
          options: ['-metadata', 'title=One Space', '-c:a', 'libmp3lame', '-f', 'mp3'],
          path: path.join(dir, 'o.mp3'),
        },
      ],
    };
    let commandLine = '';

    // Act
    const result = await runFfmpeg(invocation, { timeoutMs: 10_000, onStart: (c) => (commandLine = c) });

    // Assess
    expect(commandLine).toBe(`ffmpeg ${ffmpegArgv(invocation).join(' ')}`);
    expect(result.last).toEqual({ outTimeSeconds: expect.any(Number), done: true });
    expect(result.last?.outTimeSeconds).toBeCloseTo(1, 1);
    expect(result.stderr).toEqual([]);
    expect(listDir(dir)).toEqual(['in put.wav', 'o.mp3']);
  });

  test('ffprobe: JSON out; a timeout kills it (FfmpegFailure timeout); abort rejects with the reason', async () => {
    const input = path.join(dir, 'in put.wav');
    const json = (await runFfprobe(['-show_format'], input, { timeoutMs: 10_000 })) as {
      format: { format_name: string };
    };
    expect(json.format.format_name).toBe('wav');

    const timedOut = await runFfprobe(['-show_format'], input, { timeoutMs: 1 }).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(FfmpegFailure);
    expect(timedOut).toMatchObject({ kind: 'timeout', message: 'ffprobe did not finish within 1 ms' });

    const reason = new Error('stop');
    const controller = new AbortController();
    const running = runFfprobe(['-show_format'], input, { timeoutMs: 10_000, signal: controller.signal });
    controller.abort(reason);
    await expect(running).rejects.toBe(reason);
    expect(childProcesses('ffprobe')).toEqual([]);
  });
});
