import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';
import type { AbuseContext } from './types';

/**
 * Hostile media, made at test time (ffmpeg, sharp, Buffer) and kept per run: nothing large
 * is committed. Each maker is cached by name, so several cases can share one file.
 */
const made = new Map<string, Promise<Buffer>>();

function once(name: string, make: () => Promise<Buffer> | Buffer): Promise<Buffer> {
  let p = made.get(name);
  if (!p) made.set(name, (p = Promise.resolve().then(make)));
  return p;
}

/** ffmpeg from lavfi sources into `name` under the run's dir; the file's bytes. */
function ffmpeg(ctx: AbuseContext, name: string, args: string[]): Buffer {
  const file = path.join(ctx.dir, name);
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args, file]);
  return fs.readFileSync(file);
}

/** One second of a 440 Hz tone, MP3. */
export const toneMp3 = (ctx: AbuseContext) =>
  once('tone.mp3', () => ffmpeg(ctx, 'tone.mp3', ['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1']));

/** One second of a tone, WAV (its header states the data length). */
export const toneWav = (ctx: AbuseContext) =>
  once('tone.wav', () =>
    ffmpeg(ctx, 'tone.wav', ['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-ar', '8000']),
  );

/** Longer than the node takes (AUDIUS_MAX_AUDIO_SECONDS), in few bytes: 8 kbit/s mono. */
export const longMp3 = (ctx: AbuseContext, seconds: number) =>
  once(`long-${seconds}.mp3`, () =>
    ffmpeg(ctx, `long-${seconds}.mp3`, [
      '-f',
      'lavfi',
      '-i',
      `anullsrc=r=8000:cl=mono:d=${seconds}`,
      '-b:a',
      '8k',
    ]),
  );

/** A tiny video: picture only, or picture and sound. */
export const videoMp4 = (ctx: AbuseContext, withSound: boolean) =>
  once(`video-${withSound}.mp4`, () =>
    ffmpeg(ctx, `video-${withSound}.mp4`, [
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=64x64:rate=5:duration=1',
      ...(withSound ? ['-f', 'lavfi', '-i', 'sine=duration=1', '-c:a', 'aac'] : []),
      '-c:v',
      'mpeg4',
      '-pix_fmt',
      'yuv420p',
    ]),
  );

export const smallPng = () =>
  once('small.png', () =>
    sharp({ create: { width: 8, height: 8, channels: 3, background: 'red' } })
      .png()
      .toBuffer(),
  );

export const smallJpeg = () =>
  once('small.jpg', () =>
    sharp({ create: { width: 32, height: 32, channels: 3, background: 'green' } })
      .jpeg()
      .toBuffer(),
  );

/** A real image of `side`² pixels of one colour: a few KB that decode to megapixels. */
export const squarePng = (side: number) =>
  once(`square-${side}.png`, () =>
    sharp({ create: { width: side, height: side, channels: 3, background: 'blue' } })
      .png({ compressionLevel: 9 })
      .toBuffer(),
  );

/** An 8×8 PNG whose header claims `width`×`height` (CRC fixed, so only the size lies). */
export const lyingPng = (width: number, height: number) =>
  once(`lying-${width}x${height}.png`, async () => {
    const png = Buffer.from(await smallPng());
    // IHDR is the first chunk: length(4) type(4) at 8, width at 16, height at 20, CRC at 29.
    png.writeUInt32BE(width, 16);
    png.writeUInt32BE(height, 20);
    png.writeUInt32BE(zlib.crc32(png.subarray(12, 29)), 29);
    return png;
  });

/** A WAV whose header says an hour of data follows; one second does. */
export const lyingWav = (ctx: AbuseContext) =>
  once('lying.wav', async () => {
    const wav = Buffer.from(await toneWav(ctx));
    const hour = 8000 * 2 * 3600;
    wav.writeUInt32LE(hour + 36, 4); // RIFF size
    wav.writeUInt32LE(hour, wav.indexOf('data', 12) + 4); // the data chunk's size
    return wav;
  });
