import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh temp dir and its remover. */
export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sv2-${prefix}-`));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A random suffix for ids, buckets and keys, so tests never collide. */
export function randomSuffix(): string {
  return Math.random().toString(36).slice(2, 10);
}
