import fs from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config';

/** Bytes free to this process on the file system holding `dir` (the nearest existing parent). */
async function freeBytes(dir: string): Promise<number> {
  for (let at = dir; ;) {
    try {
      const stats = await fs.statfs(at);
      return stats.bavail * stats.bsize;
    } catch (err) {
      const parent = at.replace(/\/[^/]+\/?$/, '') || '/';
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || parent === at) throw err;
      at = parent;
    }
  }
}

/** The local directories this node writes to: its data dir (tus partial uploads) and a file:// store. */
function localDirs(config: Config): string[] {
  const dirs = [config.dataDir];
  if (config.storageUrl.startsWith('file://')) dirs.push(fileURLToPath(config.storageUrl.split('?')[0]));
  return dirs;
}

/**
 * mediorum's `diskHasSpace` (reference/mediorum.md §9), measured: the least free space among
 * the node's local directories, against AUDIUS_MIN_FREE_DISK_MB. Cloud stores have no limit
 * we can see, so only the local partial uploads count for them.
 */
export async function diskSpace(config: Config): Promise<{ freeBytes: number; hasSpace: boolean }> {
  const free = Math.min(...(await Promise.all(localDirs(config).map(freeBytes))));
  return { freeBytes: free, hasSpace: free >= config.minFreeDiskMB * 1024 * 1024 };
}
