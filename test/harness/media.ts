import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** A real audio file made by ffmpeg (lavfi tone), for uploads. */
export function makeTone(dir: string, name: string, seconds: number, extraArgs: string[] = []): string {
  const file = path.join(dir, name);
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:duration=${seconds}`,
    '-metadata',
    'title=Dub',
    '-metadata',
    'artist=Tester',
    ...extraArgs,
    file,
  ]);
  return file;
}

export function sha256Hex(data: Buffer | string): string {
  const bytes = typeof data === 'string' ? fs.readFileSync(data) : data;
  return createHash('sha256').update(bytes).digest('hex');
}

/** JetStream's digest form of a file. */
export function natsDigest(file: string): string {
  return 'SHA-256=' + createHash('sha256').update(fs.readFileSync(file)).digest('base64url').padEnd(44, '=');
}
