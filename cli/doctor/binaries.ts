import { spawnSync } from 'node:child_process';
import { ffprobeBinary } from '../../shared/transcode/ffprobe';
import { fail, ok, type Check, errorText } from './check';

const INSTALL_FFMPEG =
  'install ffmpeg (Debian/Ubuntu: apt-get install ffmpeg; `npm run ensure-binaries` does it as root), or point FFMPEG_PATH / FFPROBE_PATH at the binaries';

/** The transcoders the node runs: ffmpeg with the MP3 encoder, ffprobe, and sharp's libvips. */
export function checkBinaries(env: NodeJS.ProcessEnv = process.env): Check[] {
  return [checkFfmpeg(env), checkFfprobe(env), checkSharp()];
}

function checkFfmpeg(env: NodeJS.ProcessEnv): Check {
  // fluent-ffmpeg (shared/transcode/ffmpeg.ts) takes FFMPEG_PATH, else `ffmpeg` on PATH.
  const binary = env.FFMPEG_PATH || 'ffmpeg';
  const version = run(binary, ['-hide_banner', '-version'], env);
  if ('error' in version) return fail('ffmpeg', `${binary}: ${version.error}`, INSTALL_FFMPEG);
  const encoders = run(binary, ['-hide_banner', '-encoders'], env);
  if ('error' in encoders || !/\blibmp3lame\b/.test(encoders.stdout)) {
    return fail('ffmpeg', `${binary} has no libmp3lame encoder (audio needs MP3 320 kbps)`, INSTALL_FFMPEG);
  }
  return ok('ffmpeg', versionOf(version.stdout));
}

function checkFfprobe(env: NodeJS.ProcessEnv): Check {
  const binary = env.FFPROBE_PATH || ffprobeBinary();
  const version = run(binary, ['-hide_banner', '-version'], env);
  if ('error' in version) return fail('ffprobe', `${binary}: ${version.error}`, INSTALL_FFMPEG);
  return ok('ffprobe', versionOf(version.stdout));
}

function checkSharp(): Check {
  try {
    const sharp = require('sharp') as { versions: Record<string, string> };
    return ok('sharp', `sharp ${sharp.versions.sharp ?? ''} with libvips ${sharp.versions.vips}`);
  } catch (err) {
    return fail(
      'sharp',
      `sharp does not load: ${errorText(err)}`,
      'run npm install in the project (sharp installs a prebuilt libvips for this platform), or npm rebuild sharp',
    );
  }
}

function run(binary: string, args: string[], env: NodeJS.ProcessEnv): { stdout: string } | { error: string } {
  const result = spawnSync(binary, args, { env, encoding: 'utf8', timeout: 10_000 });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    return { error: code === 'ENOENT' ? 'not found on PATH' : errorText(result.error) };
  }
  if (result.status !== 0) return { error: `exited ${result.status}: ${firstLine(result.stderr)}` };
  return { stdout: result.stdout };
}

const firstLine = (text: string) => text.split('\n')[0].trim();

/** "ffmpeg version 5.1.9-0+deb12u1", without the copyright that follows. */
const versionOf = (text: string) => firstLine(text).replace(/ Copyright.*$/, '');
