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
  const file = path.join(PROJECT_ROOT, 'package.json');
  // A function bundle (npm run package:aws) has no package.json; serverless.yml passes the version.
  if (!fs.existsSync(file) && process.env.AUDIUS_VERSION) return process.env.AUDIUS_VERSION;
  const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
