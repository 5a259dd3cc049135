import { execFileSync, execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { StorageError } from '../../shared/errors';

/** Test-side helpers: real media made with ffmpeg, read back with ffprobe/ffmpeg. */

const execFileAsync = promisify(execFile);

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `tx-${prefix}-`));
}

export function removeDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** A new, empty work dir `name` inside `root`, one per case so leftovers are attributable. */
export function freshDir(root: string, name: string): string {
  const dir = path.join(root, name);
  mkdirSync(dir);
  return dir;
}

/** ffmpeg for fixtures: errors only, overwrite. */
export function ffmpeg(...args: string[]): void {
  execFileSync('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args], {
    stdio: 'pipe',
  });
}

export interface ProbedStream {
  codec_type: string;
  codec_name: string;
  sample_rate?: string;
  channels?: number;
  bit_rate?: string;
  start_time?: string;
  disposition?: Record<string, number>;
  tags?: Record<string, string>;
}

export interface Probed {
  streams: ProbedStream[];
  format: { format_name: string; duration?: string; bit_rate?: string; tags?: Record<string, string> };
}

export async function ffprobe(file: string): Promise<Probed> {
  const { stdout } = await execFileAsync('ffprobe', [
    ...['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file],
  ]);
  return JSON.parse(stdout) as Probed;
}

/** Sizes of every audio packet: CBR 320 kbps at 48 kHz is 960 bytes each (144·320000/48000). */
export async function packetSizes(file: string): Promise<number[]> {
  const { stdout } = await execFileAsync(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'packet=size', '-of', 'json', file],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return (JSON.parse(stdout) as { packets: { size: string }[] }).packets.map((p) => Number(p.size));
}

/**
 * Seconds of audio a decoder really produces: ffmpeg honours the LAME header's encoder
 * delay and end padding, so this is the exact sample count / rate. It is the comparison
 * point for every duration assertion.
 */
export async function decodedSeconds(file: string, rate = 48000): Promise<number> {
  const { stdout } = await execFileAsync(
    'ffmpeg',
    [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-i',
      file,
      '-ac',
      '1',
      '-ar',
      String(rate),
      '-f',
      's16le',
      '-',
    ],
    { encoding: 'buffer', maxBuffer: 512 * 1024 * 1024 },
  );
  return stdout.length / 2 / rate;
}

/** Peak level in dBFS of [start, start+length) of a file (-Infinity for digital silence). */
export async function peakDb(file: string, start: number, length: number): Promise<number> {
  const { stderr } = await execFileAsync('ffmpeg', [
    ...['-hide_banner', '-nostdin', '-ss', String(start), '-t', String(length), '-i', file],
    ...['-af', 'volumedetect', '-f', 'null', '-'],
  ]);
  const match = /max_volume: (-?[\d.]+|-inf) dB/.exec(stderr);
  if (!match) throw new Error(`no volumedetect output: ${stderr}`);
  return match[1] === '-inf' ? -Infinity : Number(match[1]);
}

/** Pids of live child processes of this process with the given command name. */
export function childProcesses(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces, so split after the last ')'.
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (comm === name && Number(ppid) === process.pid && state !== 'Z') pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

/** Awaits a rejection and returns it as a StorageError (fails the test otherwise). */
export async function storageError(promise: Promise<unknown>): Promise<StorageError> {
  const err = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StorageError);
  return err as StorageError;
}

export function listDir(dir: string): string[] {
  return readdirSync(dir).sort();
}

export const TEST_ID = 'cle4h8b1g000101q8l4tz2mkx';
