import { openBlobStore } from '../shared/blob/open';
import { startS3Server } from '../test/harness/s3-server';
import { digestOf, patternStream } from '../test/blob/streams';

/**
 * Writes an object through the S3 driver into s3rver and reads it back, sampling this process's
 * RSS, to show that puts and gets stream with bounded memory (multipart parts of 8 MiB, 4 in
 * flight). s3rver runs in its own process, so its memory is not counted.
 *
 *   npx tsx bench/blob-memory.ts [MiB=1024] [limitMiB=150]
 */
const MiB = 1024 * 1024;

export interface MemoryReport {
  bytes: number;
  putSeconds: number;
  getSeconds: number;
  baselineRss: number;
  peakRss: number;
  /** Peak RSS minus the RSS before the transfer, in bytes. */
  growth: number;
  sha256: string;
}

export async function measureBlobMemory(bytes: number): Promise<MemoryReport> {
  const seed = 11;
  const expected = await digestOf(patternStream(bytes, seed));
  const server = await startS3Server({ buckets: ['memory-bench'] });
  const store = await openBlobStore(server.storeUrl('memory-bench'), { env: server.env });
  try {
    global.gc?.();
    const baselineRss = process.memoryUsage.rss();
    let peakRss = baselineRss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
    }, 20);
    try {
      let t = performance.now();
      const put = await store.put('bench/object.bin', patternStream(bytes, seed));
      const putSeconds = (performance.now() - t) / 1000;
      t = performance.now();
      const got = await store.get('bench/object.bin');
      const read = await digestOf(got!.body);
      const getSeconds = (performance.now() - t) / 1000;
      if (put.sha256 !== expected.sha256 || read.sha256 !== expected.sha256 || read.size !== bytes) {
        throw new Error(
          `round trip changed the bytes: wrote ${expected.sha256}, put said ${put.sha256}, read ${read.sha256} (${read.size} bytes)`,
        );
      }
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
      return {
        bytes,
        putSeconds,
        getSeconds,
        baselineRss,
        peakRss,
        growth: peakRss - baselineRss,
        sha256: read.sha256,
      };
    } finally {
      clearInterval(sampler);
      await store.delete('bench/object.bin').catch(() => undefined);
    }
  } finally {
    await store.close();
    await server.stop();
  }
}

async function main(): Promise<void> {
  const mib = Number(process.argv[2] ?? 1024);
  const limit = Number(process.argv[3] ?? 150);
  const r = await measureBlobMemory(mib * MiB);
  const mb = (n: number) => (n / MiB).toFixed(1);
  console.log(
    `blob memory (s3 driver → s3rver): ${mib} MiB, put ${r.putSeconds.toFixed(1)} s (${(mib / r.putSeconds).toFixed(0)} MiB/s), ` +
      `get ${r.getSeconds.toFixed(1)} s (${(mib / r.getSeconds).toFixed(0)} MiB/s), RSS ${mb(r.baselineRss)} → peak ${mb(r.peakRss)} MiB, ` +
      `growth ${mb(r.growth)} MiB (limit ${limit} MiB), sha256 ${r.sha256}`,
  );
  if (r.growth >= limit * MiB) {
    console.error(`FAIL: RSS grew by ${mb(r.growth)} MiB, limit ${limit} MiB`);
    process.exitCode = 1;
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
