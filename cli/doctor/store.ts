import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../shared/config';
import { openBlobStore } from '../../shared/blob/open';
import { parseBlobUrl } from '../../shared/blob/url';
import { formatBytes } from '../output';
import { errorText, fail, ok, skip, warn, type Check } from './check';

/** Below either bound a disk is about to stop uploads and repair. */
const DISK_FAIL = { bytes: 1e9, fraction: 0.02 };
const DISK_WARN = { fraction: 0.1 };

/** The node's start-up check of its blob store (reachable, writable, credentials), run from here. */
export async function checkStore(config: Config, env: NodeJS.ProcessEnv): Promise<Check> {
  try {
    const store = await openBlobStore(config.storageUrl, { env });
    await store.close();
    return ok('blob store', `${store.displayUrl} is writable`);
  } catch (err) {
    const scheme = safeScheme(config.storageUrl, env);
    const fix =
      scheme === 'file'
        ? 'make the directory writable by the user the node runs as (a read-only filesystem must be remounted read-write), or set storage_driver_url to a writable place'
        : 'check that the bucket or container exists and the cloud\'s credential variables are set (README "Blob storage")';
    return fail('blob store', errorText(err), fix);
  }
}

/** Free space where the node writes: its file store and its data directory. */
export async function checkDisks(config: Config, env: NodeJS.ProcessEnv): Promise<Check[]> {
  const places: [string, string][] = [['data dir', config.dataDir]];
  if (safeScheme(config.storageUrl, env) === 'file') {
    places.unshift(['store disk', (parseBlobUrl(config.storageUrl, env) as { root: string }).root]);
  } else {
    places.unshift(['store disk', '']);
  }
  return Promise.all(
    places.map(([name, dir]) =>
      dir ? diskCheck(name, dir) : skip(name, 'a cloud store: no local disk to check'),
    ),
  );
}

async function diskCheck(name: string, dir: string): Promise<Check> {
  const existing = nearestExisting(dir);
  const stat = await fs.promises.statfs(existing);
  const free = stat.bavail * stat.bsize;
  const total = stat.blocks * stat.bsize;
  const fraction = total > 0 ? free / total : 0;
  const detail = `${formatBytes(free)} free of ${formatBytes(total)} (${(fraction * 100).toFixed(1)} %) at ${existing}`;
  const fix = 'free space or move the store to a larger disk: uploads and repair stop when it is full';
  if (free < DISK_FAIL.bytes || fraction < DISK_FAIL.fraction) return fail(name, detail, fix);
  if (fraction < DISK_WARN.fraction) return warn(name, detail, fix);
  return ok(name, detail);
}

function nearestExisting(dir: string): string {
  let at = path.resolve(dir);
  while (!fs.existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
  return at;
}

function safeScheme(url: string, env: NodeJS.ProcessEnv): string | null {
  try {
    return parseBlobUrl(url, env).scheme;
  } catch {
    return null;
  }
}
