import fs from 'node:fs';
import path from 'node:path';

/**
 * The checkout's root (where package.json and serverless.yml live), whether this code runs
 * from the TypeScript sources (tests) or from the compiled `dist/` tree.
 */
export const PROJECT_ROOT = findUp(__dirname, 'serverless.yml');

/** The root the function modules are loaded from: the sources, or `dist/` when compiled. */
export const CODE_ROOT = path.resolve(__dirname, '..');

function findUp(start: string, file: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, file))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`${file} not found above ${start}`);
  }
}

export function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
