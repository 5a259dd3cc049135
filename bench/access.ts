/**
 * Access-control benchmark (issue 11): signature verifications per second (parse, JCS,
 * keccak256, secp256k1 recovery, checks), then the stream route's throughput for the same
 * bytes served public (no signature) and gated (with a signed stream URL), same node, same run.
 *
 *   npm run bench:access [-- --requests 300] [--concurrency 8]
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { secp256k1 } from '@noble/curves/secp256k1';
import { personalMessageHash } from '../shared/access/eth-signature';
import { envelopeDigest } from '../shared/access/signed-envelope';
import { signStreamUrl, verifyStreamSignature } from '../shared/access/stream-signature';
import { openBlobStore } from '../shared/blob/open';
import { identityFromHex } from '../shared/identity/wallet';
import { startNatsCluster } from '../shared/local/nats-server';
import { freePort } from '../shared/local/ports';
import { startStorageNodeProcess } from '../shared/local/storage-node-process';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const REQUESTS = arg('requests', 300);
const CONCURRENCY = arg('concurrency', 8);
const signer = identityFromHex(randomBytes(32).toString('hex'));
const SIZES = [
  { id: 'benchaccess0000000000a1b2', size: 5 * 1024 * 1024, label: '5 MiB MP3' },
  { id: 'benchaccess0000000000c3d4', size: 20 * 1024, label: '20 KiB MP3' },
];

/**
 * Verifications per second: 1,000 distinct signatures, each once (key recovery), against the
 * bare library call they rest on (noble's recoverPublicKey of the same signatures, same run);
 * then the same ones again (a player's repeated range requests: recovery remembered, the
 * time, name and signer checks re-run).
 */
function verificationsPerSecond(): { first: number; bare: number; repeat: number } {
  const now = Date.now();
  const rules = {
    isAllowedSigner: (a: string) => a === signer.address,
    windowMs: 48 * 3600_000,
    skewMs: 120_000,
  };
  const make = (prefix: string) =>
    Array.from({ length: 1000 }, (_, i) => {
      const name = `${prefix}${String(i).padStart(14, '0')}_320.mp3`;
      const signature = signStreamUrl(signer.privateKey, name, now);
      const data = JSON.parse(JSON.parse(signature).data) as Record<string, unknown>;
      return {
        name,
        signature,
        digest: personalMessageHash(envelopeDigest(data)),
        hex: JSON.parse(signature).signature,
      };
    });
  const rate = (n: number, run: () => void) => {
    const started = performance.now();
    run();
    return (n / (performance.now() - started)) * 1000;
  };
  const ours = (set: ReturnType<typeof make>) => () => {
    for (const s of set)
      if (verifyStreamSignature(s.signature, s.name, rules, now) !== signer.address)
        throw new Error('bad verify');
  };
  const bare = (set: ReturnType<typeof make>) => () => {
    for (const s of set) {
      const sig = secp256k1.Signature.fromCompact(s.hex.slice(2, 130)).addRecoveryBit(
        parseInt(s.hex.slice(130), 16) - 27,
      );
      sig.recoverPublicKey(s.digest);
    }
  };
  rate(1000, ours(make('benchwarmup'))); // JIT and noble's tables, on signatures not measured
  const a = make('benchaccessa');
  const b = make('benchaccessb');
  const first = rate(a.length, ours(a));
  const bareRate = rate(b.length, bare(b));
  let repeat = 0;
  for (let i = 0; i < 5; i++) repeat = Math.max(repeat, rate(a.length, ours(a)));
  return { first, bare: bareRate, repeat };
}

async function timeRequests(url: string): Promise<number> {
  let next = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const one = () =>
    new Promise<void>((resolve, reject) => {
      http
        .get(url, { agent }, (res) => {
          if (res.statusCode !== 200) return reject(new Error(`${url}: HTTP ${res.statusCode}`));
          res.on('data', () => undefined);
          res.on('end', resolve);
        })
        .on('error', reject);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < REQUESTS) await one();
    }),
  );
  agent.destroy();
  return (REQUESTS / (performance.now() - started)) * 1000;
}

async function main(): Promise<void> {
  const v = verificationsPerSecond();
  console.log(
    `stream signature verifications, one core: ${v.first.toFixed(0)}/s for new signatures ` +
      `(${(1e6 / v.first).toFixed(0)} µs each; bare noble recoverPublicKey, same run: ${v.bare.toFixed(0)}/s), ` +
      `${v.repeat.toFixed(0)}/s for repeated ones`,
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv2-access-'));
  const nats = await startNatsCluster({ size: 1, dataDir: path.join(dir, 'nats') });
  const storeUrl = `file://${path.join(dir, 'blobs')}`;
  const store = await openBlobStore(storeUrl);
  for (const f of SIZES) {
    const bytes = randomBytes(f.size);
    // The same bytes as a public variant (preview) and a gated one (320).
    for (const v of ['preview', '320'])
      await store.put(`0_${f.id.slice(-3)}/${f.id}_${v}.mp3`, Readable.from([bytes]), {});
  }
  await store.close();
  const port = await freePort();
  const node = await startStorageNodeProcess(
    'bench',
    {
      AUDIUS_PORT: String(port),
      AUDIUS_DATA_DIR: path.join(dir, 'data'),
      storage_driver_url: storeUrl,
      NATS_SERVER_URL: nats.urls.join(','),
      AUDIUS_GATED_VARIANTS: 'audio:320',
      AUDIUS_STREAM_SIGNERS: signer.address,
      LOG_LEVEL: 'warn',
    },
    (line) => console.error(`[node] ${line}`),
  );
  try {
    console.log(`\nGET /storage/stream/…, ${REQUESTS} requests per case, ${CONCURRENCY} at a time`);
    console.log(
      '| file | public, no signature (req/s) | gated, signed URL (req/s) | ratio signed/unsigned |',
    );
    console.log('| --- | ---: | ---: | ---: |');
    for (const f of SIZES) {
      const base = `http://127.0.0.1:${port}/storage/stream/${f.id}`;
      const open = `${base}_preview.mp3`;
      const gated = `${base}_320.mp3?signature=${encodeURIComponent(signStreamUrl(signer.privateKey, `${f.id}_320.mp3`))}`;
      await timeRequests(open); // warm-up both
      await timeRequests(gated);
      const a = await timeRequests(open);
      const b = await timeRequests(gated);
      console.log(`| ${f.label} | ${a.toFixed(0)} | ${b.toFixed(0)} | ${(b / a).toFixed(2)} |`);
    }
  } finally {
    await node.stop();
    await nats.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
