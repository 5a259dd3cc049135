import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rename, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { transientFailure } from './failures';

/**
 * File hygiene of a step. Everything is written in a private directory inside the caller's
 * workDir, which is removed in every outcome; only on success are the results renamed into
 * workDir itself (same file system, so the rename is atomic and a result name never shows a
 * half-written file). The caller owns the results from then on.
 */
export async function withScratchDir<T>(
  workDir: string,
  id: string,
  work: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(path.join(workDir, `.transcode-${id}-`)).catch((err: unknown) => {
    throw transientFailure(`no scratch directory can be made in workDir ${workDir}`, err);
  });
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Moves the results to `<workDir>/<fileName>`; all or none (a partial move is undone). */
export async function publish(
  files: { path: string; fileName: string }[],
  workDir: string,
): Promise<string[]> {
  const moved: string[] = [];
  try {
    for (const file of files) {
      const target = path.join(workDir, file.fileName);
      await rename(file.path, target);
      moved.push(target);
    }
    return moved;
  } catch (err) {
    await Promise.all(moved.map((p) => unlink(p).catch(() => undefined)));
    throw err;
  }
}

/** sha256 (hex) and size of a file, streamed. */
export async function hashFile(filePath: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(filePath) as AsyncIterable<Buffer>) {
    size += chunk.length;
    hash.update(chunk);
  }
  return { sha256: hash.digest('hex'), size };
}
