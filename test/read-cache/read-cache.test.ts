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

  /** Flips a byte on disk, keeping the modification time: the store's sidecar still vouches for it. */
  function rot(key: string, bytes: Buffer): void {
    const file = store.localPath(key)!;
    const stat = fs.statSync(file);
    const rotten = Buffer.from(bytes);
    rotten[bytes.length >> 1] ^= 1;
    fs.writeFileSync(file, rotten);
    fs.utimesSync(file, stat.atime, stat.mtime);
  }

  /** `run` with corruption reports quarantining, as the node's repair does; the keys reported. */
  async function reporting(run: () => Promise<void>): Promise<string[]> {
    const reports: string[] = [];
    store.onCorrupt = (k) => {
      reports.push(k);
      store.quarantine(k);
    };
    try {
      await run();
    } finally {
      store.onCorrupt = () => undefined;
    }
    return reports;
  }

  test('a rotten copy is never cached nor served: the cold one-pass read reports it and the key reads as absent', async () => {
    const cache = new ReadCache(store, { budgetBytes: 1 << 20, maxFileBytes: 1 << 20 });
    const bytes = Buffer.alloc(3000, 3);
    const key = await put(101, bytes);
    rot(key, bytes);
    const reports = await reporting(async () => {
      expect(await cache.info(key)).toBeNull();
      expect(cache.usage().entries).toBe(0);
      expect(await cache.info(key)).toBeNull();
    });
    expect(reports).toEqual([key]);
    cache.close();
  });

  test('a rotten copy whose info was known before is not served either: the verified fill reports it', async () => {
    const cache = new ReadCache(store, { budgetBytes: 1 << 20, maxFileBytes: 1 << 20 });
    const bytes = Buffer.alloc(3000, 4);
    const key = await put(107, bytes);
    const info = (await store.head(key))!;
    expect(info.sha256).toBe(sha(bytes));
    rot(key, bytes);
    const reports = await reporting(async () => {
      expect(await cache.body(key, info, null)).toBeNull();
      expect(cache.usage().entries).toBe(0);
      expect(await cache.info(key)).toBeNull();
    });
    expect(reports).toEqual([key]);
    cache.close();
  });

  test('a cold small read is one pass: concurrent readers share one readSmall, and the bytes come with the info', async () => {
    const cache = new ReadCache(store, { budgetBytes: 1 << 20, maxFileBytes: 1 << 20 });
    const bytes = Buffer.alloc(4096, 8);
    const key = await put(108, bytes);
    const readSmall = jest.spyOn(store, 'readSmall');
    const get = jest.spyOn(store, 'get');
    const head = jest.spyOn(store, 'head');
    try {
      const infos = await Promise.all([1, 2, 3, 4].map(() => cache.info(key)));
      expect(readSmall).toHaveBeenCalledTimes(1);
      expect(infos.every((i) => i === infos[0])).toBe(true);
      expect(infos[0]).toMatchObject({ key, size: 4096, sha256: sha(bytes), contentType: 'image/jpeg' });
      // A HEAD or a 304 stops here; the bytes are held already.
      expect(cache.usage().bytes).toBeGreaterThan(4096);
      const body = await cache.body(key, infos[0]!, null);
      expect(Buffer.isBuffer(body) && body.equals(bytes)).toBe(true);
      const range = await cache.body(key, infos[0]!, { start: 4000, end: 4095 });
      expect(Buffer.isBuffer(range) && range.equals(bytes.subarray(4000))).toBe(true);
      expect(get).not.toHaveBeenCalled();
      expect(head).not.toHaveBeenCalled();
    } finally {
      readSmall.mockRestore();
      get.mockRestore();
      head.mockRestore();
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

  test('a lookup that races a quarantine does not store what it read, and later readers look again', async () => {
    const cache = new ReadCache(store, { budgetBytes: 1 << 20, maxFileBytes: 1 << 20 });
    const bytes = Buffer.alloc(2000, 10);
    const key = await put(109, bytes);
    const before = cache.info(key);
    store.quarantine(key);
    const after = cache.info(key);
    // The lookup already under way finishes with what it found; nothing stays behind.
    expect((await before)?.sha256).toBe(sha(bytes));
    expect(await after).toBeNull();
    expect(cache.usage().entries).toBe(0);
    expect(await cache.info(key)).toBeNull();
    cache.close();
  });

  test('a fill that races a quarantine does not store what it read, and later readers do not share it', async () => {
    const cache = new ReadCache(store, { budgetBytes: 1 << 20, maxFileBytes: 1 << 20 });
    const bytes = Buffer.alloc(2000, 9);
    const key = await put(104, bytes);
    // Info learnt without the cache (no bytes held): the bytes are filled by a verified get.
    const info = (await store.head(key))!;
    const reading = cache.body(key, info, null);
    store.quarantine(key);
    const later = cache.body(key, info, null);
    // The read already under way finishes with the verified bytes; nothing stays behind.
    expect(((await reading) as Buffer).equals(bytes)).toBe(true);
    expect(await later).toBeNull();
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
