import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startNatsCluster } from '../../shared/local/nats-server';
import { freePort } from '../../shared/local/ports';
import { startStorageNodeProcess } from '../../shared/local/storage-node-process';

export interface UploadMemoryReport {
  bytes: number;
  seconds: number;
  baselineRssMb: number;
  peakRssMb: number;
  growthMb: number;
  status: number;
}

/** Resident set size of a process, from /proc (Linux). */
function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** A WAV header, then `size` bytes of silence made on the fly: never a buffer of the whole body. */
function* wavBody(size: number): Generator<Buffer> {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(Math.min(size + 36, 0xffffffff), 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(2, 22);
  header.writeUInt32LE(44100, 24);
  header.writeUInt32LE(44100 * 4, 28);
  header.writeUInt16LE(4, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(Math.min(size, 0xffffffff), 40);
  yield header;
  const chunk = Buffer.alloc(1024 * 1024);
  for (let left = size; left > 0; left -= chunk.length)
    yield left >= chunk.length ? chunk : chunk.subarray(0, left);
}

/**
 * Starts one NATS server and one storage node process, streams a `bytes`-sized upload into
 * it and samples the node's RSS every 50 ms: the growth is what the upload cost in memory.
 */
export async function measureUploadMemory(bytes: number): Promise<UploadMemoryReport> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv2-memory-'));
  const nats = await startNatsCluster({ size: 1, dataDir: path.join(dir, 'nats') });
  const port = await freePort();
  const node = await startStorageNodeProcess('memory', {
    AUDIUS_PORT: String(port),
    AUDIUS_DATA_DIR: path.join(dir, 'data'),
    storage_driver_url: `file://${path.join(dir, 'blobs')}`,
    NATS_SERVER_URL: nats.urls.join(','),
    AUDIUS_MAX_UPLOAD_BYTES: String(bytes + 1024),
    AUDIUS_TEMP_BUCKETS: '1',
    AUDIUS_UPLOAD_MODE: 'open', // memory, not signatures, is measured here
    LOG_LEVEL: 'warn',
  });
  try {
    const pid = node.process.pid!;
    await new Promise((r) => setTimeout(r, 1000));
    const baseline = rssBytes(pid);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 50);
    const started = Date.now();
    const status = await postMultipart(port, bytes);
    clearInterval(sampler);
    peak = Math.max(peak, rssBytes(pid));
    const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;
    return {
      bytes,
      seconds: (Date.now() - started) / 1000,
      baselineRssMb: mb(baseline),
      peakRssMb: mb(peak),
      growthMb: mb(peak - baseline),
      status,
    };
  } finally {
    await node.stop();
    await nats.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function postMultipart(port: number, bytes: number): Promise<number> {
  const boundary = `----sv2memory${Date.now()}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="template"\r\n\r\naudio\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="big.wav"\r\nContent-Type: audio/wav\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/storage/file',
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    const parts = (function* () {
      yield head;
      yield* wavBody(bytes - 44);
      yield tail;
    })();
    const pump = () => {
      for (let next = parts.next(); !next.done; next = parts.next()) {
        if (!req.write(next.value)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}
