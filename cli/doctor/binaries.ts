import { execFile } from 'node:child_process';
import { ffprobeBinary } from '../../shared/transcode/ffprobe';
import { fail, ok, type Check, errorText } from './check';

const INSTALL_FFMPEG =
  'install ffmpeg (Debian/Ubuntu: apt-get install ffmpeg; `npm run ensure-binaries` does it as root), or point FFMPEG_PATH / FFPROBE_PATH at the binaries';

/** The transcoders the node runs: ffmpeg with the MP3 encoder, ffprobe, and sharp's libvips. */
export function checkBinaries(env: NodeJS.ProcessEnv = process.env): Promise<Check[]> {
  return Promise.all([checkFfmpeg(env), checkFfprobe(env), checkSharp()]);
}

async function checkFfmpeg(env: NodeJS.ProcessEnv): Promise<Check> {
  // fluent-ffmpeg (shared/transcode/ffmpeg.ts) takes FFMPEG_PATH, else `ffmpeg` on PATH.
  const binary = env.FFMPEG_PATH || 'ffmpeg';
  const version = await run(binary, ['-version'], env);
  if ('error' in version) return fail('ffmpeg', `${binary}: ${version.error}`, INSTALL_FFMPEG);
  // `-version` prints the build configuration: the audio template needs the LAME encoder.
  if (!version.stdout.includes('--enable-libmp3lame')) {
    return fail('ffmpeg', `${binary} is built without libmp3lame (audio needs MP3 320 kbps)`, INSTALL_FFMPEG);
  }
  return ok('ffmpeg', versionOf(version.stdout));
}

async function checkFfprobe(env: NodeJS.ProcessEnv): Promise<Check> {
  const binary = env.FFPROBE_PATH || ffprobeBinary();
  const version = await run(binary, ['-version'], env);
  if ('error' in version) return fail('ffprobe', `${binary}: ${version.error}`, INSTALL_FFMPEG);
  return ok('ffprobe', versionOf(version.stdout));
}

async function checkSharp(): Promise<Check> {
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

function run(
  binary: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ stdout: string } | { error: string }> {
  return new Promise((resolve) => {
    execFile(binary, args, { env, timeout: 10_000 }, (err, stdout, stderr) => {
      if (!err) return resolve({ stdout });
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return resolve({ error: 'not found on PATH' });
      resolve({ error: typeof code === 'number' ? `exited ${code}: ${firstLine(stderr)}` : errorText(err) });
    });
  });
}

const firstLine = (text: string) => text.split('\n')[0].trim();

/** "ffmpeg version 5.1.9-0+deb12u1", without the copyright that follows. */
const versionOf = (text: string) => firstLine(text).replace(/ Copyright.*$/, '');
