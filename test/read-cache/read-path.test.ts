import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { signStreamUrl } from '../../shared/access/stream-signature';
import { identityFromHex } from '../../shared/identity/wallet';
import { createLogger } from '../../shared/log';
import { ReadCache } from '../../shared/read-cache/read-cache';
import { loadManifest } from '../../shared/runtime/manifest';
import { startNode, type RunningNode } from '../../shared/runtime/node';
import { randomKey, testConfig } from '../harness/config';
import { startTestNats, type TestNats } from '../harness/nats';
import { tempDir } from '../harness/temp';

/**
 * The read routes of a real node (fastify, file store, catalog, repair hooks) with the read
 * cache on, against the same node with it off: identical answers; what leaves the store
 * leaves the cache; gated reads are checked on cached hits too.
 */
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** Headers that legitimately differ between two answers. */
const VOLATILE = new Set(['date', 'connection', 'keep-alive']);

describe('read path with the cache', () => {
  let nats: TestNats;
  let node: RunningNode;
  let cached: ReadCache;
  let uncached: ReadCache;
  const temp = tempDir('read-path');
  const files = new Map<string, Buffer>();
  const small = 'readpath00000000000001mkx_150.jpg';
  const large = 'readpath00000000000002mkx_480.jpg';
  const gated = 'readpath00000000000003mkx_320.mp3';
  const keyOf = (name: string) => `0_mkx/${name}`;
  /** An allowed stream signer by configuration, not by membership (no heartbeat timing involved). */
  const signer = identityFromHex(randomKey());

  beforeAll(async () => {
    nats = await startTestNats(1);
    const config = testConfig(nats.urls, temp.dir, {
      AUDIUS_READ_CACHE_MAX_FILE_KB: '64',
      AUDIUS_GATED_VARIANTS: 'audio:320',
      AUDIUS_STREAM_SIGNERS: signer.address,
    });
    node = await startNode(config, loadManifest(), createLogger('test', 'silent'));
    for (const [name, size] of [
      [small, 4096],
      [large, 300_000],
      [gated, 5000],
    ] as const) {
      const bytes = randomBytes(size);
      files.set(name, bytes);
      await node.services.blob.put(keyOf(name), Readable.from([bytes]), {
        contentType: name.endsWith('.mp3') ? 'audio/mpeg' : 'image/jpeg',
      });
    }
    cached = node.services.reads;
    uncached = new ReadCache(node.services.blob, { budgetBytes: 0, maxFileBytes: 0 });
  });

  afterAll(async () => {
    uncached?.close();
    await node?.stop();
    await nats?.stop();
    temp.remove();
  });

  async function answer(path: string, init: RequestInit = {}) {
    const res = await fetch(`${node.url}${path}`, { redirect: 'manual', ...init });
    const headers = Object.fromEntries([...res.headers].filter(([k]) => !VOLATILE.has(k)));
    return { status: res.status, headers, body: Buffer.from(await res.arrayBuffer()) };
  }

  /** The same request with the cache off, cold and warm: all three answers equal, byte for byte. */
  async function sameEveryWay(path: string, init: RequestInit = {}) {
    node.services.reads = uncached;
    const reference = await answer(path, init);
    node.services.reads = cached;
    cached.invalidate(keyOf(path.split('/').pop()!.split('?')[0]));
    const cold = await answer(path, init);
    const warm = await answer(path, init);
    // Bodies compared by digest: jest's deep equality walks a Buffer byte by byte (seconds for 300 KB).
    const comparable = (a: typeof reference) => ({ ...a, body: sha(a.body) });
    expect(comparable(cold)).toEqual(comparable(reference));
    expect(comparable(warm)).toEqual(comparable(reference));
    return reference;
  }

  test.each([
    ['a small file (bytes held in memory)', small],
    ['a large file (metadata held, bytes streamed)', large],
  ])('%s: whole, ranged, HEAD and conditional answers are identical cached and uncached', async (_, name) => {
    const bytes = files.get(name)!;
    const url = `/storage/long-term/file/${name}`;
    const whole = await sameEveryWay(url);
    expect(whole.status).toBe(200);
    expect(whole.body.equals(bytes)).toBe(true);
    expect(whole.headers).toMatchObject({
      etag: `"${sha(bytes)}"`,
      'content-type': 'image/jpeg',
      'content-length': String(bytes.length),
      'accept-ranges': 'bytes',
      'cache-control': 'public, max-age=31536000, immutable',
    });
    const ranged = await sameEveryWay(url, { headers: { range: 'bytes=100-1123' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers['content-range']).toBe(`bytes 100-1123/${bytes.length}`);
    expect(ranged.body.equals(bytes.subarray(100, 1124))).toBe(true);
    const suffix = await sameEveryWay(url, { headers: { range: 'bytes=-500' } });
    expect(suffix.body.equals(bytes.subarray(bytes.length - 500))).toBe(true);
    const open = await sameEveryWay(url, {
      headers: { range: `bytes=${bytes.length - 70_000 > 0 ? 1000 : 10}-` },
    });
    expect(open.status).toBe(206);
    expect(open.body.equals(bytes.subarray(bytes.length - 70_000 > 0 ? 1000 : 10))).toBe(true);
    const past = await sameEveryWay(url, { headers: { range: `bytes=${bytes.length}-` } });
    expect(past.status).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${bytes.length}`);
    const head = await sameEveryWay(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(bytes.length));
    expect(head.body.length).toBe(0);
    const current = await sameEveryWay(url, { headers: { 'if-none-match': `W/"x", "${sha(bytes)}"` } });
    expect(current.status).toBe(304);
    expect(current.body.length).toBe(0);
    const stale = await sameEveryWay(url, { headers: { 'if-none-match': '"other"' } });
    expect(stale.status).toBe(200);
    expect(stale.body.equals(bytes)).toBe(true);
  });

  test('a gated file is checked on every read, cached or not', async () => {
    const bytes = files.get(gated)!;
    const signature = encodeURIComponent(signStreamUrl(signer.privateKey, gated));
    const signedUrl = `/storage/stream/${gated}?signature=${signature}`;
    const signed = await sameEveryWay(signedUrl);
    expect(signed.status).toBe(200);
    expect(signed.body.equals(bytes)).toBe(true);
    expect(signed.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    // Now held in memory: an unsigned read is still refused.
    const unsigned = await answer(`/storage/stream/${gated}`);
    expect(unsigned.status).toBe(401);
    expect(JSON.parse(unsigned.body.toString()).code).toBe('SIGNATURE_REQUIRED');
  });

  test('a copy deleted from the store is not served from the cache afterwards', async () => {
    const name = 'readpath00000000000004mkx_150.jpg';
    await node.services.blob.put(keyOf(name), Readable.from([randomBytes(3000)]));
    expect((await answer(`/storage/long-term/file/${name}`)).status).toBe(200);
    // As repair's trim deletes a copy this node no longer owns.
    await node.services.blob.delete(keyOf(name));
    const after = await answer(`/storage/long-term/file/${name}?localOnly=true`);
    expect(after.status).toBe(404);
    expect(JSON.parse(after.body.toString()).code).toBe('FILE_NOT_FOUND');
  });

  test('a copy that rots on disk is quarantined by the scrub and no longer served from the cache', async () => {
    const name = 'readpath00000000000005mkx_150.jpg';
    const bytes = randomBytes(3000);
    await node.services.blob.put(keyOf(name), Readable.from([bytes]));
    const url = `/storage/long-term/file/${name}?localOnly=true`;
    expect((await answer(url)).body.equals(bytes)).toBe(true); // now held in memory
    // Flip a byte in place, keeping the modification time: only re-hashing can tell.
    const file = node.services.blob.localPath(keyOf(name))!;
    const stat = fs.statSync(file);
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.from([bytes[10] ^ 0xff]), 0, 1, 10);
    fs.closeSync(fd);
    fs.utimesSync(file, stat.atime, stat.mtime);
    const report = await node.services.repair.scrub();
    expect(report?.corrupt).toBe(1);
    const after = await answer(url);
    expect(after.status).toBe(404);
    expect(JSON.parse(after.body.toString()).code).toBe('FILE_NOT_FOUND');
  });

  test('within its budget: a node serving more small files than fit keeps its cache under AUDIUS_READ_CACHE_MB', async () => {
    const budget = 256 * 1024;
    const small = new ReadCache(node.services.blob, { budgetBytes: budget, maxFileBytes: 64 * 1024 });
    node.services.reads = small;
    try {
      for (let i = 0; i < 24; i++) {
        const name = `readpath${String(100 + i).padStart(14, '0')}mkx_150.jpg`;
        const bytes = randomBytes(32 * 1024);
        await node.services.blob.put(keyOf(name), Readable.from([bytes]));
        const res = await answer(`/storage/long-term/file/${name}`);
        expect(res.body.equals(bytes)).toBe(true);
        expect(small.usage().bytes).toBeLessThanOrEqual(budget);
      }
      expect(small.usage().entries).toBeGreaterThan(3);
      const metrics = await (await fetch(`${node.url}/storage/metrics`)).text();
      expect(metrics).toMatch(/^storage_read_cache_evictions_total [1-9]/m);
      expect(metrics).toMatch(/^storage_read_cache_lookups_total\{kind="bytes",result="hit"\} [1-9]/m);
    } finally {
      node.services.reads = cached;
      small.close();
    }
  });
});
