/**
 * Transcode overhead benchmark: our steps against the bare tools doing the same work, side
 * by side on the same inputs, in one run.
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/transcode.js [--audio-runs 3] [--image-runs 7]
 *
 * - audio: `transcodeAudio` (sniff, ffprobe, ffmpeg through fluent-ffmpeg, read-back probes,
 *   sha256, rename) vs the bare `ffmpeg` process with the same argv, on a generated 5-minute
 *   44.1 kHz stereo WAV. Target ratio ≤ 1.15.
 * - images: `transcodeImage` (sniff, header probe, pipelines, sha256, rename) vs a bare sharp
 *   script doing the same resizes with the same settings, on a generated 4000×4000 JPEG.
 *   Target ratio ≤ 1.25.
 *
 * Runs alternate which side goes first; figures are medians. Both sides must produce the
 * same bytes (the audio is bitexact, the images are the same pipeline), which the table
 * shows, so the ratio compares equal work.
 *
 * "whole step" rows time what a node does per job (./lib/whole-step.ts: the step handler
 * with a real nats-server — temp-store download, transcode, result puts, job writes) against
 * the same bare tool timings of the run.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { planAudio } from '../shared/transcode/audio-plan';
import { ffmpegArgv, ffmpegBinary } from '../shared/transcode/ffmpeg';
import { TEMPLATES, probeMedia, transcodeAudio, transcodeImage } from '../shared/transcode/mod';
import { median } from './lib/stats';
import { WholeStep } from './lib/whole-step';

const ID = 'bench0000000000000000000a1';
const MAX_PIXELS = 100_000_000;

interface Row {
  step: string;
  ours: number[];
  bare: number[];
  /** Ratio the issue sets; null where it sets none (the whole-step rows report, not judge). */
  target: number | null;
  /** Whether both sides made the same bytes; null where the table does not compare them. */
  sameBytes: boolean | null;
}

async function main(): Promise<void> {
  const audioRuns = intArg('--audio-runs', 3);
  const imageRuns = intArg('--image-runs', 7);
  // Every upload is a different image in production, so libvips' operation cache never
  // helps there; off here, so repeated runs do not measure cache hits.
  sharp.cache(false);
  const root = mkdtempSync(path.join(os.tmpdir(), 'bench-transcode-'));
  try {
    printEnvironment();
    const inputs = await makeInputs(root);
    const rows = [
      await benchAudio(root, inputs.wav, inputs.warmupWav, audioRuns),
      await benchImage(root, inputs.jpeg, 'img_square', imageRuns),
      await benchImage(root, inputs.jpeg, 'img_backdrop', imageRuns),
    ];
    rows.push(...(await benchWholeSteps(root, inputs, rows, { audio: audioRuns, image: imageRuns })));
    printTable(rows);
    await printMozjpegNote(inputs.jpeg);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function makeInputs(root: string): Promise<{ wav: string; warmupWav: string; jpeg: string }> {
  const wav = path.join(root, 'five-minutes.wav');
  const warmupWav = path.join(root, 'warmup.wav');
  const jpeg = path.join(root, '4000.jpg');
  const tone = (seconds: number) => [
    ...['-f', 'lavfi', '-i', `anoisesrc=d=${seconds}:c=pink:r=44100:a=0.2`],
    ...['-f', 'lavfi', '-i', `sine=f=440:r=44100:d=${seconds}`],
    ...['-filter_complex', '[0][1]amerge=inputs=2[a]', '-map', '[a]', '-c:a', 'pcm_s16le'],
  ];
  await exec(ffmpegBinary(), ['-hide_banner', '-loglevel', 'error', '-y', ...tone(300), wav]);
  await exec(ffmpegBinary(), ['-hide_banner', '-loglevel', 'error', '-y', ...tone(3), warmupWav]);
  // Blurred noise: photo-like entropy, so the decoder works as on real artwork.
  await sharp({
    create: {
      width: 4000,
      height: 4000,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 60 },
    },
  })
    .blur(1.5)
    .jpeg({ quality: 92 })
    .toFile(jpeg);
  console.log(`inputs: 5-minute WAV ${mb(statSync(wav).size)}, 4000×4000 JPEG ${mb(statSync(jpeg).size)}\n`);
  return { wav, warmupWav, jpeg };
}

async function benchAudio(root: string, wav: string, warmupWav: string, runs: number): Promise<Row> {
  const probe = await probeMedia(wav);
  // One untimed run of each first: fluent-ffmpeg's one-off capability check, page cache.
  await oursAudio(root, warmupWav, 'warm');
  const row: Row = {
    step: 'audio (5 min WAV → 320 + preview)',
    ours: [],
    bare: [],
    target: 1.15,
    sameBytes: true,
  };
  for (let i = 0; i < runs; i++) {
    const bareDir = fresh(root, `audio-bare-${i}`);
    const plan = planAudio(probe, {
      input: wav,
      outDir: bareDir,
      id: ID,
      maxDurationSeconds: 3600,
      threads: 2,
    });
    const bare = async () => {
      const started = performance.now();
      await exec(ffmpegBinary(), ffmpegArgv(plan.invocation));
      row.bare.push(performance.now() - started);
    };
    let ourDigests: string[] = [];
    const ours = async () => {
      const { ms, digests } = await oursAudio(root, wav, String(i));
      row.ours.push(ms);
      ourDigests = digests;
    };
    if (i % 2 === 0) await sequence(bare, ours);
    else await sequence(ours, bare);
    row.sameBytes &&= ourDigests.join() === plan.outputs.map((o) => sha256(o.path)).join();
    progress(row, i, runs);
  }
  return row;
}

async function oursAudio(
  root: string,
  input: string,
  tag: string,
): Promise<{ ms: number; digests: string[] }> {
  const workDir = fresh(root, `audio-ours-${tag}`);
  const started = performance.now();
  const result = await transcodeAudio({ input, workDir, id: ID, maxDurationSeconds: 3600 });
  return { ms: performance.now() - started, digests: result.outputs.map((o) => o.sha256) };
}

async function benchImage(root: string, jpeg: string, template: 'img_square' | 'img_backdrop', runs: number) {
  const row: Row = {
    step: `${template} (4000×4000 JPEG)`,
    ours: [],
    bare: [],
    target: 1.25,
    sameBytes: true,
  };
  await bareSharp(jpeg, fresh(root, `${template}-warm`), template);
  for (let i = 0; i < runs; i++) {
    const bareDir = fresh(root, `${template}-bare-${i}`);
    const oursDir = fresh(root, `${template}-ours-${i}`);
    let bareDigests: string[] = [];
    let ourDigests: string[] = [];
    const bare = async () => {
      const started = performance.now();
      const files = await bareSharp(jpeg, bareDir, template);
      row.bare.push(performance.now() - started);
      bareDigests = files.map(sha256);
    };
    const ours = async () => {
      const started = performance.now();
      const result = await transcodeImage({
        template,
        input: jpeg,
        workDir: oursDir,
        id: ID,
        maxPixels: MAX_PIXELS,
      });
      row.ours.push(performance.now() - started);
      ourDigests = result.outputs.map((o) => o.sha256);
    };
    if (i % 2 === 0) await sequence(bare, ours);
    else await sequence(ours, bare);
    row.sameBytes &&= ourDigests.join() === bareDigests.join();
    progress(row, i, runs);
  }
  return row;
}

/** The whole step per template, against the bare tool timings of the same run (rows 0–2). */
async function benchWholeSteps(
  root: string,
  inputs: { wav: string; jpeg: string },
  toolRows: Row[],
  runs: { audio: number; image: number },
): Promise<Row[]> {
  const steps = await WholeStep.start(root);
  try {
    const cases = [
      { template: 'audio', input: inputs.wav, runs: runs.audio, tool: toolRows[0] },
      { template: 'img_square', input: inputs.jpeg, runs: runs.image, tool: toolRows[1] },
      { template: 'img_backdrop', input: inputs.jpeg, runs: runs.image, tool: toolRows[2] },
    ] as const;
    const rows: Row[] = [];
    for (const c of cases) {
      await steps.time(c.template, c.input); // warm-up: NATS buckets, fluent-ffmpeg's checks
      const row: Row = {
        step: `${c.template} whole step (download, transcode, puts, job writes)`,
        ours: [],
        bare: c.tool.bare,
        target: null,
        sameBytes: null,
      };
      for (let i = 0; i < c.runs; i++) {
        row.ours.push(await steps.time(c.template, c.input));
        console.log(`  ${row.step} run ${i + 1}/${c.runs}: ${seconds(row.ours[i])} s`);
      }
      rows.push(row);
    }
    return rows;
  } finally {
    await steps.stop();
  }
}

/** What someone would write by hand with sharp for the same variants and settings. */
async function bareSharp(
  input: string,
  outDir: string,
  template: 'img_square' | 'img_backdrop',
): Promise<string[]> {
  const files: string[] = [];
  for (const spec of TEMPLATES[template].outputs) {
    const file = path.join(outDir, `${spec.variant}.jpg`);
    const image = sharp(input, {
      limitInputPixels: MAX_PIXELS,
      failOn: 'error',
      pages: 1,
      page: 0,
      autoOrient: true,
    });
    const resized =
      spec.height === null
        ? image.resize({ width: spec.width, withoutEnlargement: true })
        : image.resize({ width: spec.width, height: spec.height, fit: 'cover', position: 'centre' });
    await resized
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .jpeg({ quality: 90, progressive: true, chromaSubsampling: '4:2:0', mozjpeg: false })
      .toFile(file);
    files.push(file);
  }
  return files;
}

/** The measurement behind "mozjpeg off": time and bytes of the square variants, both ways. */
async function printMozjpegNote(jpeg: string): Promise<void> {
  const lines: string[] = [];
  for (const mozjpeg of [false, true]) {
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      bytes = 0;
      for (const spec of TEMPLATES.img_square.outputs) {
        const out = await sharp(jpeg, { autoOrient: true })
          .resize({ width: spec.width, height: spec.height, fit: 'cover' })
          .jpeg({ quality: 90, progressive: true, mozjpeg })
          .toBuffer();
        bytes += out.length;
      }
      times.push(performance.now() - started);
    }
    lines.push(
      `| mozjpeg ${mozjpeg ? 'on ' : 'off'} | ${seconds(median(times))} | ${(bytes / 1024).toFixed(0)} KiB |`,
    );
  }
  console.log('\nimg_square variants, quality 90 progressive (median of 3):\n');
  console.log('| encoder | time (s) | bytes (150+480+1000) |\n|---|---:|---:|');
  for (const line of lines) console.log(line);
}

function printTable(rows: Row[]): void {
  console.log('\n| step | runs | ours median (s) | bare median (s) | ratio | target | same bytes |');
  console.log('|---|---:|---:|---:|---:|---:|---|');
  for (const r of rows) {
    const ratio = median(r.ours) / median(r.bare);
    const verdict = r.target === null ? '—' : `≤ ${r.target} (${ratio <= r.target ? 'ok' : 'OVER'})`;
    console.log(
      `| ${r.step} | ${r.ours.length} | ${seconds(median(r.ours))} | ${seconds(median(r.bare))} | ` +
        `${ratio.toFixed(3)} | ${verdict} | ${r.sameBytes === null ? '—' : r.sameBytes ? 'yes' : 'NO'} |`,
    );
  }
}

function printEnvironment(): void {
  const cpus = os.cpus();
  const ffmpegVersion = readVersion();
  console.log(
    `node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, load ${os.loadavg()[0].toFixed(2)}, ` +
      `${ffmpegVersion}, sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips})`,
  );
}

function readVersion(): string {
  try {
    const out = execFileSync(ffmpegBinary(), ['-version'], { encoding: 'utf8' });
    return out.split('\n')[0].split(' Copyright')[0];
  } catch {
    return 'ffmpeg ?';
  }
}

function progress(row: Row, i: number, runs: number): void {
  const last = (xs: number[]) => seconds(xs[xs.length - 1]);
  console.log(`  ${row.step} run ${i + 1}/${runs}: ours ${last(row.ours)} s, bare ${last(row.bare)} s`);
}

async function sequence(...steps: (() => Promise<void>)[]): Promise<void> {
  for (const step of steps) await step();
}

function exec(binary: string, argv: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${binary} exited ${code}: ${stderr}`)),
    );
  });
}

function fresh(root: string, name: string): string {
  const dir = path.join(root, name);
  mkdirSync(dir);
  return dir;
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function intArg(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
