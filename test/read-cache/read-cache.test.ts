import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { openFileStore } from '../../shared/blob/file-store';
import { ReadCache } from '../../shared/read-cache/read-cache';
import { Catalog } from '../../shared/repair/catalog';
import { TrackedBlobStore } from '../../shared/repair/tracked-store';
import { tempDir } from '../harness/temp';

/** The read cache over a real file store and catalog: budget, verification, invalidation. */
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const keyOf = (i: number) => {
  const id = `readcache${String(i).padStart(13, '0')}mkx`;
  return { key: `0_mkx/${id}_150.jpg`, name: `${id}_150.jpg` };
};

describe('ReadCache', () => {
  const temp = tempDir('read-cache');
  let store: TrackedBlobStore;
  let catalog: Catalog;

  beforeAll(async () => {
    const raw = await openFileStore(temp.dir);
    catalog = new Catalog('0', 3);
    await catalog.build(raw);
    store = new TrackedBlobStore(raw, catalog);
  });
  afterAll(() => temp.remove());

  async function put(i: number, bytes: Buffer): Promise<string> {
    const { key } = keyOf(i);
    await store.put(key, Readable.from([bytes]), { contentType: 'image/jpeg' });
    return key;
  }

  async function wholeOf(cache: ReadCache, key: string): Promise<Buffer | null> {
    const info = await cache.info(key);
    if (!info) return null;
    const body = await cache.body(key, info, null);
    if (!body || Buffer.isBuffer(body)) return body;
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  test('stays within its byte budget while serving more distinct files than fit, every byte exact', async () => {
    const budget = 64 * 1024;
    const cache = new ReadCache(store, { budgetBytes: budget, maxFileBytes: 16 * 1024 });
    const files = new Map<string, Buffer>();
    for (let i = 0; i < 60; i++) {
      const bytes = Buffer.alloc(4096, i);
      files.set(await put(i, bytes), bytes);
    }
    for (let round = 0; round < 2; round++) {
      for (const [key, bytes] of files) {
        expect(sha((await wholeOf(cache, key))!)).toBe(sha(bytes));
        expect(cache.usage().bytes).toBeLessThanOrEqual(budget);
      }
    }
    // It did hold what fits: the last file read is served from memory, the same buffer twice.
    const last = [...files.keys()].pop()!;
    const info = (await cache.info(last))!;
    expect(await cache.body(last, info, null)).toBe(await cache.body(last, info, null));
    expect(cache.usage().entries).toBeGreaterThan(5);
    expect(cache.usage().entries).toBeLessThan(60);
    cache.close();
  });

  test('a file larger than the per-file limit streams and its bytes are never held', async () => {
    const cache = new ReadCache(store, { budgetBytes: 1 << 20, maxFileBytes: 1024 });
    const bytes = Buffer.alloc(5000, 7);
    const key = await put(100, bytes);
    expect(sha((await wholeOf(cache, key))!)).toBe(sha(bytes));
    expect(cache.usage().bytes).toBeLessThan(2000); // metadata only
    const info = (await cache.info(key))!;
    const range = await cache.body(key, info, { start: 10, end: 19 });
    expect(Buffer.isBuffer(range) && range.equals(bytes.subarray(10, 20))).toBe(true);
    cache.close();
  });

  test('a rotten copy is never cached nor served: the verified read reports it and the key reads as absent', async () => {
    const cache = new ReadCache(store, { budgetBytes: 1 << 20, maxFileBytes: 1 << 20 });
    const bytes = Buffer.alloc(3000, 3);
    const key = await put(101, bytes);
    const reports: string[] = [];
    store.onCorrupt = (k) => {
      reports.push(k);
      store.quarantine(k);
    };
    try {
      const info = (await cache.info(key))!;
      expect(info.sha256).toBe(sha(bytes));
      // Flip a byte on disk and keep the modification time: the store's sidecar still vouches for it.
      const file = store.localPath(key)!;
      const stat = fs.statSync(file);
      const rotten = Buffer.from(bytes);
      rotten[1500] ^= 1;
      fs.writeFileSync(file, rotten);
      fs.utimesSync(file, stat.atime, stat.mtime);
      expect(await cache.body(key, info, null)).toBeNull();
      expect(reports).toEqual([key]);
      expect(cache.usage().entries).toBe(0);
      expect(await cache.info(key)).toBeNull();
    } finally {
      store.onCorrupt = () => undefined;
      cache.close();
    }
  });

  test('delete and quarantine through the store drop a cached file at once', async () => {
    const cache = new ReadCache(store, { budgetBytes: 1 << 20, maxFileBytes: 1 << 20 });
    const a = await put(102, Buffer.alloc(2000, 1));
    const b = await put(103, Buffer.alloc(2000, 2));
    expect(await wholeOf(cache, a)).not.toBeNull();
    expect(await wholeOf(cache, b)).not.toBeNull();
    expect(cache.usage().entries).toBe(2);
    await store.delete(a);
    expect(cache.usage().entries).toBe(1);
    expect(store.quarantine(b)).toBe(true);
    expect(cache.usage().entries).toBe(0);
    expect(await cache.info(a)).toBeNull();
    expect(await cache.info(b)).toBeNull();
    cache.close();
  });

  test('a file absent here is remembered as absent, until the store puts it', async () => {
    const cache = new ReadCache(store, { budgetBytes: 1 << 20, maxFileBytes: 1 << 20 });
    const { key } = keyOf(106);
    expect(await cache.info(key)).toBeNull();
    expect(cache.usage().entries).toBe(1);
    const bytes = Buffer.alloc(1500, 6);
    await put(106, bytes);
    expect((await wholeOf(cache, key))!.equals(bytes)).toBe(true);
    cache.close();
  });

  test('a fill that races a quarantine does not store what it read', async () => {
    const cache = new ReadCache(store, { budgetBytes: 1 << 20, maxFileBytes: 1 << 20 });
    const bytes = Buffer.alloc(2000, 9);
    const key = await put(104, bytes);
    const info = (await cache.info(key))!;
    const reading = cache.body(key, info, null);
    store.quarantine(key);
    // The read already under way finishes with the verified bytes; nothing stays behind.
    expect(((await reading) as Buffer).equals(bytes)).toBe(true);
    expect(cache.usage().entries).toBe(0);
    expect(await cache.info(key)).toBeNull();
    cache.close();
  });

  test('a budget of 0 turns the cache off: every read goes to the store', async () => {
    const cache = new ReadCache(store, { budgetBytes: 0, maxFileBytes: 1 << 20 });
    const bytes = Buffer.alloc(1000, 5);
    const key = await put(105, bytes);
    expect((await wholeOf(cache, key))!.equals(bytes)).toBe(true);
    expect(cache.usage()).toEqual({ bytes: 0, entries: 0, budget: 0 });
    cache.close();
  });
});
