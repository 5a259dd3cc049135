/**
 * Archiver benchmark (issue 12), in one run, each side in its own process:
 *
 *   npm run bench:archiver [-- --rounds 3 --small 300 --large 30 --incremental 10000]
 *
 * 1. Backup throughput: `archiver backup` of a node's file store to an S3 server (s3rver, in its
 *    own process) beside `rclone copy` (Debian's package) of the same files to the same server,
 *    both 8 transfers at a time, alternating which goes first, each round into a fresh folder.
 *    Medians of the rounds; target ours ≥ 0.8× rclone's throughput.
 * 2. A backup with nothing new over 10,000 files (the same S3 server): median of the rounds;
 *    target under 5 s.
 *
 * The files look like a node's: many small images and some large MP3-sized ones, random bytes.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { mapLimit } from '../shared/blob/concurrency';
import { openFileStore } from '../shared/blob/file-store';
import { newId } from '../shared/jobs/ids';
import { startS3Server, type S3Server } from '../test/harness/s3-server';

const ARCHIVER = path.resolve(__dirname, '../bin/archiver.js');
const TRANSFERS = 8;

function intArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/**
 * The environment both sides run with: the machine's, less AWS_CA_BUNDLE (a CA file for
 * https; the S3 server here is plain http, and rclone's SDK refuses the bundle over its own
 * transport, failing before it starts).
 */
function sideEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.AWS_CA_BUNDLE;
  return env;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A node-like file store: `small` files of 20–100 KB and `large` of 3–6 MB. */
async function makeStore(dir: string, small: number, large: number): Promise<number> {
  const store = await openFileStore(dir);
  const sizes = [
    ...Array.from({ length: small }, () => 20_000 + Math.floor(Math.random() * 80_000)),
    ...Array.from({ length: large }, () => 3_000_000 + Math.floor(Math.random() * 3_000_000)),
  ];
  await mapLimit(sizes, 8, async (size) => {
    const id = newId();
    await store.put(
      `0_${id.slice(-3)}/${id}_${size > 1e6 ? '320.mp3' : '150.jpg'}`,
      Readable.from([randomBytes(size)]),
    );
  });
  return sizes.reduce((a, b) => a + b, 0);
}

/** Seconds a command takes, in its own process; it must exit 0. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) reject(new Error(`${cmd} exited ${code}: ${stderr.slice(-2000)}`));
      else resolve(Number(process.hrtime.bigint() - started) / 1e9);
    });
  });
}

function archiverBackup(s3: S3Server, source: string, folder: string): Promise<number> {
  const to = s3.storeUrl('bench').replace('?', `/${folder}?`);
  return timed(
    process.execPath,
    [ARCHIVER, 'backup', '--to', to, '--no-jobs', '--json', '--concurrency', String(TRANSFERS)],
    sideEnv({ ...s3.env, storage_driver_url: `file://${source}` }),
  );
}

/** rclone with an on-the-fly remote (its documented RCLONE_CONFIG_<NAME>_<OPTION> variables). */
function rcloneCopy(s3: S3Server, source: string, folder: string): Promise<number> {
  return timed(
    'rclone',
    [
      'copy',
      source,
      `bench:bench/${folder}`,
      '--exclude',
      '.blob-*/**',
      '--transfers',
      String(TRANSFERS),
      '--checkers',
      String(TRANSFERS),
    ],
    sideEnv({
      RCLONE_CONFIG_BENCH_TYPE: 's3',
      RCLONE_CONFIG_BENCH_PROVIDER: 'Other',
      RCLONE_CONFIG_BENCH_ENDPOINT: s3.endpoint,
      RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: s3.accessKeyId,
      RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: s3.secretAccessKey,
      RCLONE_CONFIG_BENCH_REGION: s3.region,
      RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE: 'true',
    }),
  );
}

async function main(): Promise<void> {
  const rounds = intArg('--rounds', 3);
  const small = intArg('--small', 300);
  const large = intArg('--large', 30);
  const incremental = intArg('--incremental', 10_000);
  const rclone = execFileSync('rclone', ['version']).toString().split('\n')[0];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-archiver-'));
  const s3 = await startS3Server({ buckets: ['bench'] });
  try {
    const source = path.join(work, 'store');
    const bytes = await makeStore(source, small, large);
    const mb = bytes / 1e6;
    console.log(
      `backup throughput: ${small + large} files, ${mb.toFixed(1)} MB, ${rounds} rounds, ${TRANSFERS} at a time (${rclone})`,
    );
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const sides = [
        async () => ours.push(await archiverBackup(s3, source, `ours-${r}`)),
        async () => theirs.push(await rcloneCopy(s3, source, `rclone-${r}`)),
      ];
      for (const side of r % 2 ? sides.reverse() : sides) await side();
      console.log(`  round ${r + 1}: archiver ${ours[r].toFixed(2)} s, rclone ${theirs[r].toFixed(2)} s`);
    }
    const oursRate = mb / median(ours);
    const rcloneRate = mb / median(theirs);
    const ratio = oursRate / rcloneRate;

    const many = path.join(work, 'many');
    await makeStore(many, incremental, 0);
    await archiverBackup(s3, many, 'incremental');
    const unchanged: number[] = [];
    for (let r = 0; r < rounds; r++) unchanged.push(await archiverBackup(s3, many, 'incremental'));

    console.log('');
    console.log('| measure | archiver | baseline | ratio (target) |');
    console.log('| --- | ---: | ---: | ---: |');
    console.log(
      `| backup ${small + large} files, ${mb.toFixed(0)} MB → S3 (s3rver) | ${oursRate.toFixed(1)} MB/s (${median(ours).toFixed(2)} s) | rclone copy: ${rcloneRate.toFixed(1)} MB/s (${median(theirs).toFixed(2)} s) | ${ratio.toFixed(2)} (≥ 0.8) ${ratio >= 0.8 ? 'met' : 'MISSED'} |`,
    );
    console.log(
      `| backup with nothing new, ${incremental.toLocaleString('en')} files | ${median(unchanged).toFixed(2)} s (rounds ${unchanged.map((s) => s.toFixed(2)).join(', ')}) | — | bound 5 s ${median(unchanged) < 5 ? 'met' : 'MISSED'} |`,
    );
  } finally {
    await s3.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
