import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { describeError, isStorageError } from '../errors';
import { parseFileName } from '../placement/mod';
import { longTermKey } from '../jobs/keys';
import type { CatalogEntry } from './catalog';
import type { RepairContext } from './context';
import { quarantineCopy } from './quarantine';
import { repairMetrics } from './stats';
import { megabytesPerSecond } from './throttle';

export interface ScrubReport {
  files: number;
  bytes: number;
  corrupt: number;
  /** Catalogued copies the store no longer has (a disk emptied under a running node). */
  vanished: number;
  seconds: number;
}

/**
 * One scrub cycle (issue 10 "Scrub"): re-hash every catalogued copy, at most
 * AUDIUS_SCRUB_MBPS, against the sha256 it was verified against when written. A mismatch
 * is quarantined and healed (./quarantine.ts); a copy that vanished leaves the catalog so
 * the next repair pass refills it. Copies listed without a digest at start are checked first.
 */
export async function scrubPass(ctx: RepairContext, signal: AbortSignal): Promise<ScrubReport> {
  const started = Date.now();
  await ctx.catalog.build(ctx.blob.inner);
  const limiter = megabytesPerSecond(ctx.config.scrubMBps);
  const report: ScrubReport = { files: 0, bytes: 0, corrupt: 0, vanished: 0, seconds: 0 };
  await checkUnverified(ctx, report, signal);
  const entries = ctx.catalog
    .heldShards()
    .flatMap((shard) => ctx.catalog.list(shard).map((e) => ({ shard, e })));
  for (const { shard, e } of entries) {
    if (signal.aborted) break;
    if (ctx.catalog.get(shard, e.name) !== e) continue; // replaced or removed meanwhile
    const key = longTermKey(ctx.config.namespace, ctx.config.shardLength, e.name);
    try {
      const actual = await hashStored(ctx, key, limiter, signal);
      report.files += 1;
      if (actual === null) {
        report.vanished += 1;
        ctx.blob.vanished(key);
        ctx.log.warn({ key }, 'scrub: a catalogued copy is gone from the store');
        continue;
      }
      report.bytes += e.size;
      if (actual !== e.sha256) {
        report.corrupt += 1;
        await quarantineCopy(ctx, key, e, `scrub: sha256 ${actual}`, signal);
      }
    } catch (err) {
      if (signal.aborted) break;
      ctx.log.warn({ key, err: describeError(err) }, 'scrub: could not read a copy');
    }
  }
  report.seconds = (Date.now() - started) / 1000;
  return report;
}

/** sha256 of the stored bytes, read at the limiter's pace; null when the key is gone. */
async function hashStored(
  ctx: RepairContext,
  key: string,
  limiter: ReturnType<typeof megabytesPerSecond>,
  signal: AbortSignal,
): Promise<string | null> {
  const read = await ctx.blob.inner.get(key, { signal });
  if (!read) return null;
  const hash = createHash('sha256');
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      repairMetrics.scrubbedBytes.inc(chunk.length);
      done();
    },
  });
  await pipeline(read.body, limiter.stream(signal), sink, { signal });
  return hash.digest('hex');
}

/**
 * Copies the store listed without a digest (the file store after an outside edit of the data
 * file): re-written through a verified put when their bytes match the job record, which
 * restores their digest; otherwise quarantined, so repair replaces them.
 */
async function checkUnverified(ctx: RepairContext, report: ScrubReport, signal: AbortSignal): Promise<void> {
  for (const key of [...ctx.catalog.unverified]) {
    if (signal.aborted) return;
    ctx.catalog.unverified.delete(key);
    const where = ctx.catalog.parseKey(key);
    const id = where && parseFileName(where.name)?.id;
    const job = id ? await ctx.jobs.get(id).catch(() => null) : null;
    const r = job?.results.find((x) => x.name === where?.name);
    if (!where || !r) continue;
    const expected: CatalogEntry = { name: r.name, size: r.size, sha256: r.sha256 };
    try {
      const read = await ctx.blob.inner.get(key, { signal });
      if (!read) continue;
      await ctx.blob.put(key, read.body, {
        sha256: r.sha256,
        size: r.size,
        contentType: r.content_type,
        signal,
      });
      report.files += 1;
    } catch (err) {
      if (!isStorageError(err) || err.code !== 'DIGEST_MISMATCH') continue;
      report.corrupt += 1;
      await quarantineCopy(
        ctx,
        key,
        expected,
        'scrub: no digest on record and the bytes differ from the job record',
        signal,
      );
    }
  }
}
