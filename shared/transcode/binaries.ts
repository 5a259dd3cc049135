import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Where ffmpeg and ffprobe are: FFMPEG_PATH / FFPROBE_PATH when set; inside a packaged Lambda
 * (`npm run package:aws`) the static binaries shipped in the bundle; else the ones on PATH.
 */
const PACKAGED = {
  ffmpeg: 'node_modules/@ffmpeg-installer/linux-x64/ffmpeg',
  ffprobe: 'node_modules/@ffprobe-installer/linux-x64/ffprobe',
};

export function mediaBinary(name: 'ffmpeg' | 'ffprobe'): string {
  const fromEnv = process.env[name === 'ffmpeg' ? 'FFMPEG_PATH' : 'FFPROBE_PATH'];
  if (fromEnv) return fromEnv;
  const taskRoot = process.env.LAMBDA_TASK_ROOT;
  if (taskRoot && !process.env.IS_OFFLINE) {
    const packaged = path.join(taskRoot, PACKAGED[name]);
    if (fs.existsSync(packaged)) return packaged;
  }
  return name;
}

const statsPeriod = new Map<string, boolean>();

/**
 * Whether this ffmpeg knows `-stats_period` (4.4 and later). The static build shipped to Lambda
 * is older; without the flag it reports progress every 0.5 s instead of 0.25 s.
 */
export function knowsStatsPeriod(binary: string): boolean {
  let known = statsPeriod.get(binary);
  if (known === undefined) {
    const help = spawnSync(binary, ['-hide_banner', '-h', 'long'], { encoding: 'utf8', timeout: 10_000 });
    known = `${help.stdout ?? ''}${help.stderr ?? ''}`.includes('-stats_period');
    statsPeriod.set(binary, known);
  }
  return known;
}
