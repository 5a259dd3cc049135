import { pipeline } from 'node:stream/promises';
import { PassThrough, type Readable } from 'node:stream';
import { describeError, isStorageError } from '../errors';
import { contentTypeOf } from '../http/serve-blob';
import { longTermKey } from '../jobs/keys';
import { readTempObject } from '../nats/temp-objects';
import type { CatalogEntry } from './catalog';
import type { RepairContext } from './context';
import type { Peer } from './peer-client';
import { repairMetrics } from './stats';

/** Where a copy can come from: a peer that listed it, or the temp store the job recorded. */
export type Source = { peer: Peer } | { tempBucket: string; tempName: string };

/**
 * Writes a verified copy of `entry` into this node's store from the first source that
 * delivers it (DESIGN §10: pull-based; verify size and sha256 while writing, and only then
 * count the copy — the blob store's put leaves nothing behind on a mismatch). True on success.
 */
export async function pullFile(
  ctx: RepairContext,
  entry: CatalogEntry,
  sources: Source[],
  signal: AbortSignal,
): Promise<boolean> {
  const key = longTermKey(ctx.config.namespace, ctx.config.shardLength, entry.name);
  ctx.stats.pulling.add(entry.name);
  try {
    for (const source of sources) {
      if (signal.aborted) return false;
      try {
        const body = await open(ctx, entry, source, signal);
        if (!body) continue;
        const limited = new PassThrough();
        const writing = ctx.blob.put(key, limited, {
          sha256: entry.sha256,
          size: entry.size,
          contentType: contentTypeOf(entry.name),
          signal,
        });
        await Promise.all([pipeline(body, ctx.pullLimiter.stream(signal), limited, { signal }), writing]);
        repairMetrics.pulls.inc({ outcome: 'ok' });
        repairMetrics.pulledBytes.inc(entry.size);
        ctx.stats.pulled += 1;
        return true;
      } catch (err) {
        // A source without the file is routine (an owner whose storer has not copied it yet):
        // the next source is tried, and the caller reports what stays missing.
        const absent = isStorageError(err) && err.code === 'FILE_NOT_FOUND';
        repairMetrics.pulls.inc({ outcome: absent ? 'not_found' : 'failed' });
        const line = { file: entry.name, from: describe(source), err: describeError(err) };
        if (absent) ctx.log.debug(line, 'repair pull: source does not hold the file');
        else ctx.log.warn(line, 'repair pull failed');
      }
    }
    return false;
  } finally {
    ctx.stats.pulling.delete(entry.name);
  }
}

async function open(
  ctx: RepairContext,
  entry: CatalogEntry,
  source: Source,
  signal: AbortSignal,
): Promise<Readable | null> {
  if ('peer' in source) return ctx.peers.openBlob(source.peer, entry.name, signal);
  const temp = await readTempObject(ctx.nats, source.tempBucket, source.tempName, entry.sha256);
  return temp?.body ?? null;
}

function describe(source: Source): string {
  return 'peer' in source ? source.peer.host : `temp ${source.tempBucket}`;
}
