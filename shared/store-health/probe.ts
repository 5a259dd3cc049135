import type { BlobStore } from '../blob/types';
import { diskSpace } from '../client-api/disk';
import type { Config } from '../config';
import { describeError } from '../errors';
import type { StoreState } from './types';

/** A store that does not answer a probe write in this long counts as failing (a hung mount, a cloud outage). */
export const PROBE_TIMEOUT_MS = 10_000;

/**
 * One probe: a small write (and its delete) through the driver's own check, then the free
 * space of the local directories (diskSpace, the same numbers /health_check reports). Cloud
 * stores show no limit, so for them only writability and the data dir's space count.
 */
export async function probeStore(
  blob: BlobStore,
  config: Config,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<StoreState> {
  const checkedAt = new Date().toISOString();
  const fail = (reason: string, freeBytes: number | null = null): StoreState => ({
    ok: false,
    reason,
    freeBytes,
    checkedAt,
  });
  try {
    await withTimeout(blob.check(), timeoutMs, `no answer to a probe write within ${timeoutMs} ms`);
  } catch (err) {
    return fail(`store ${blob.displayUrl} failed a probe write: ${describeError(err)}`);
  }
  let disk: { freeBytes: number; hasSpace: boolean };
  try {
    disk = await diskSpace(config);
  } catch (err) {
    return fail(`free space unknown: ${describeError(err)}`);
  }
  if (!disk.hasSpace)
    return fail(
      `${mb(disk.freeBytes)} MB free, below AUDIUS_MIN_FREE_DISK_MB=${config.minFreeDiskMB}`,
      disk.freeBytes,
    );
  return { ok: true, reason: null, freeBytes: disk.freeBytes, checkedAt };
}

const mb = (bytes: number) => Math.floor(bytes / (1024 * 1024));

async function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
