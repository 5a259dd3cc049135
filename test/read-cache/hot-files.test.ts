import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { HOT_READS, HotFiles, RECHECK_MS } from '../../shared/read-cache/hot-files';
import { ReadCache, type ReadBody } from '../../shared/read-cache/read-cache';
import type { TrackedBlobStore } from '../../shared/repair/tracked-store';
import { tempDir } from '../harness/temp';
import { drain, trackedFileStore } from './fixture';

/**
 * Hot large files in memory (shared/read-cache/hot-files.ts) over a real file store: a large
 * file read often enough is served as slices of its verified bytes; one read less keeps it on
 * disk; rot never gets in; a copy deleted or replaced behind the store stops being served
 * within RECHECK_MS, and at once through the store.
 */
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const SIZE = 2 * 1024 * 1024 + 77; // over maxFileBytes, under an eighth of the budget
const BUDGET = 32 * 1024 * 1024;

describe('ReadCache hot large files', () => {
  const temp = tempDir('hot-files');
  let store: TrackedBlobStore;
  let cache: ReadCache;
  let n = 0;

  beforeAll(async () => {
    store = await trackedFileStore(temp.dir);
    cache = new ReadCache(store, { budgetBytes: BUDGET, maxFileBytes: 64 * 1024 });
  });
  afterAll(() => {
    cache.close();
    temp.remove();
  });

  async function put(bytes: Buffer): Promise<string> {
    const key = `0_mkx/hotfiles${String((n += 1)).padStart(14, '0')}mkx_320.mp3`;
    await store.put(key, Readable.from([bytes]), { contentType: 'audio/mpeg' });
    return key;
  }

  /** The body of a whole read: a Buffer when served from memory, a stream when from disk. */
  async function whole(key: string): Promise<ReadBody | null> {
    const info = await cache.info(key);
    return info ? cache.body(key, info, null) : null;
  }

  async function seek(key: string, start: number, end: number): Promise<Buffer | null> {
    const info = await cache.info(key);
    return info ? drain(await cache.body(key, info, { start, end })) : null;
  }

  /** Waits, without reading (a read would count), until the cache holds `bytes` more than `from`. */
  async function heldGrows(from: number, bytes: number): Promise<void> {
    const end = Date.now() + 10_000;
    while (cache.usage().bytes - from < bytes) {
      if (Date.now() > end) throw new Error(`the cache did not take in ${bytes} bytes`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Reads `key` HOT_READS times (seeks), then waits for its bytes to be in memory. */
  async function makeHot(key: string): Promise<void> {
    const before = cache.usage().bytes;
    for (let i = 0; i < HOT_READS; i++) await seek(key, i, i + 9);
    await heldGrows(before, SIZE);
  }

  test('the HOT_READS-th read of a file within the window makes it hot, and every later one', () => {
    const counter = new HotFiles(BUDGET);
    const reads = Array.from({ length: HOT_READS + 1 }, () => counter.read('a'));
    expect(reads).toEqual([...Array(HOT_READS - 1).fill(false), true, true]);
    expect(counter.read('b')).toBe(false); // counted per file
    counter.forget('a');
    expect(counter.read('a')).toBe(false);
  });

  test('a file read HOT_READS times is served from memory, with the exact bytes', async () => {
    const bytes = randomBytes(SIZE);
    const hot = await put(bytes);
    const before = cache.usage().bytes;
    for (let i = 0; i < HOT_READS - 1; i++) await seek(hot, 0, 9);
    const last = await whole(hot); // the HOT_READS-th read: from disk, and it starts the fill
    expect(Buffer.isBuffer(last)).toBe(false);
    expect(sha((await drain(last))!)).toBe(sha(bytes));
    await heldGrows(before, SIZE);
    const body = await whole(hot);
    expect(Buffer.isBuffer(body) && sha(body)).toBe(sha(bytes));
    const slice = await seek(hot, 1_000_000, 1_065_535);
    expect(slice!.equals(bytes.subarray(1_000_000, 1_065_536))).toBe(true);
    expect((await seek(hot, SIZE - 10, SIZE - 1))!.equals(bytes.subarray(SIZE - 10))).toBe(true);
  });

  test('a file too large for an eighth of the budget is never held, however often it is read', async () => {
    const counter = new HotFiles(BUDGET);
    const info = (size: number) => ({ key: 'k', size, sha256: 'a'.repeat(64) });
    expect([counter.admissible(info(BUDGET / 8)), counter.admissible(info(BUDGET / 8 + 1))]).toEqual([
      true,
      false,
    ]);
    const key = await put(randomBytes(BUDGET / 8 + 1));
    const before = cache.usage().bytes;
    for (let i = 0; i < HOT_READS * 2; i++) await seek(key, 0, 9);
    const body = await whole(key);
    expect(Buffer.isBuffer(body)).toBe(false);
    await drain(body);
    expect(cache.usage().bytes - before).toBeLessThan(BUDGET / 8);
  });

  test('a copy that rots before it gets hot never enters memory, and is reported', async () => {
    const bytes = randomBytes(SIZE);
    const key = await put(bytes);
    const reports: string[] = [];
    store.onCorrupt = (k) => reports.push(k);
    try {
      const file = store.localPath(key)!;
      const stat = fs.statSync(file);
      const fd = fs.openSync(file, 'r+');
      fs.writeSync(fd, Buffer.from([bytes[100] ^ 0xff]), 0, 1, 100);
      fs.closeSync(fd);
      fs.utimesSync(file, stat.atime, stat.mtime);
      for (let i = 0; i < HOT_READS; i++) await seek(key, 1000, 1009); // the rot is elsewhere
      const end = Date.now() + 10_000;
      while (reports.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      expect(reports).toEqual([key]);
      // (A node's handler quarantines the copy on the report; this recorder does not.) Its bytes
      // stayed out of memory, and a whole read from disk is checked and fails.
      const body = await whole(key);
      expect(Buffer.isBuffer(body)).toBe(false);
      await expect(drain(body)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    } finally {
      store.onCorrupt = () => undefined;
    }
  });

  test('a hot copy deleted or replaced behind the store stops being served within RECHECK_MS', async () => {
    const deleted = await put(randomBytes(SIZE));
    const replaced = await put(randomBytes(SIZE));
    await makeHot(deleted);
    await makeHot(replaced);
    fs.rmSync(store.localPath(deleted)!);
    const other = randomBytes(SIZE);
    const file = store.localPath(replaced)!;
    fs.writeFileSync(`${file}.new`, other);
    fs.renameSync(`${file}.new`, file);
    await new Promise((r) => setTimeout(r, RECHECK_MS + 50));
    expect(await seek(deleted, 0, 9)).toBeNull();
    expect(await seek(replaced, 0, 9)).toBeNull();
  });

  test('a hot copy the store deletes is gone at once; another hot file stays', async () => {
    const kept = randomBytes(SIZE);
    const other = await put(kept);
    const key = await put(randomBytes(SIZE));
    await makeHot(other);
    await makeHot(key);
    await store.delete(key);
    expect(await cache.info(key)).toBeNull();
    const body = await whole(other);
    expect(Buffer.isBuffer(body) && body.equals(kept)).toBe(true);
  });
});
