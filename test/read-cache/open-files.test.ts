import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { ReadCache } from '../../shared/read-cache/read-cache';
import type { TrackedBlobStore } from '../../shared/repair/tracked-store';
import { tempDir } from '../harness/temp';
import { drain, trackedFileStore } from './fixture';

/**
 * Large files served through open descriptors (shared/read-cache/open-files.ts) over a real
 * file store: exact bytes, and a descriptor never serves a copy the store or an operator
 * removed or replaced.
 */
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const SIZE = 3 * 1024 * 1024 + 123; // several 1 MiB reads, a short last one

describe('ReadCache open files', () => {
  const temp = tempDir('open-files');
  let store: TrackedBlobStore;
  let cache: ReadCache;
  let n = 0;

  beforeAll(async () => {
    store = await trackedFileStore(temp.dir);
    // Small files stay in memory; these large ones go through descriptors.
    cache = new ReadCache(store, { budgetBytes: 1 << 20, maxFileBytes: 64 * 1024 });
  });
  afterAll(() => {
    cache.close();
    temp.remove();
  });

  async function put(bytes: Buffer): Promise<string> {
    const key = `0_mkx/openfiles${String((n += 1)).padStart(13, '0')}mkx_320.mp3`;
    await store.put(key, Readable.from([bytes]), { contentType: 'audio/mpeg' });
    return key;
  }

  async function read(key: string, range: { start: number; end: number } | null = null) {
    const info = await cache.info(key);
    return info ? drain(await cache.body(key, info, range)) : null;
  }

  test('whole reads (hashed, then not), seeks and long ranges return the exact bytes', async () => {
    const bytes = randomBytes(SIZE);
    const key = await put(bytes);
    expect(sha((await read(key))!)).toBe(sha(bytes));
    expect(sha((await read(key))!)).toBe(sha(bytes));
    const seek = await cache.body(key, (await cache.info(key))!, { start: 1_000_000, end: 1_065_535 });
    expect(Buffer.isBuffer(seek)).toBe(true); // one read, no stream
    expect((seek as Buffer).equals(bytes.subarray(1_000_000, 1_065_536))).toBe(true);
    const tail = await read(key, { start: 100, end: SIZE - 1 });
    expect(sha(tail!)).toBe(sha(bytes.subarray(100)));
  });

  test('the first whole read through a descriptor checks the digest: a rotten copy fails and is reported', async () => {
    const bytes = randomBytes(SIZE);
    const key = await put(bytes);
    const reports: string[] = [];
    store.onCorrupt = (k) => reports.push(k);
    try {
      // A seek opens the descriptor first; the rot comes after, in place, mtime kept.
      await read(key, { start: 0, end: 9 });
      const file = store.localPath(key)!;
      const stat = fs.statSync(file);
      const fd = fs.openSync(file, 'r+');
      fs.writeSync(fd, Buffer.from([bytes[SIZE - 5] ^ 0xff]), 0, 1, SIZE - 5);
      fs.closeSync(fd);
      fs.utimesSync(file, stat.atime, stat.mtime);
      await expect(read(key)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
      expect(reports).toEqual([key]);
    } finally {
      store.onCorrupt = () => undefined;
    }
  });

  test('a copy deleted or replaced on disk behind the store is not served through its open descriptor', async () => {
    const deleted = await put(randomBytes(SIZE));
    const replaced = await put(randomBytes(SIZE));
    for (const key of [deleted, replaced]) expect(await read(key, { start: 0, end: 9 })).not.toBeNull();
    fs.rmSync(store.localPath(deleted)!);
    expect(await read(deleted, { start: 0, end: 9 })).toBeNull();
    expect(await cache.info(deleted)).toBeNull();
    // An outside writer renames other bytes over the name: the old descriptor must not answer.
    const other = randomBytes(SIZE);
    const file = store.localPath(replaced)!;
    fs.writeFileSync(`${file}.new`, other);
    fs.renameSync(`${file}.new`, file);
    expect(await read(replaced, { start: 0, end: 9 })).toBeNull();
  });

  test('a read under way when the store deletes the copy finishes with the exact bytes; the next finds nothing', async () => {
    const bytes = randomBytes(SIZE);
    const key = await put(bytes);
    const info = (await cache.info(key))!;
    const body = (await cache.body(key, info, { start: 0, end: SIZE - 1 })) as Readable;
    const first = await new Promise<Buffer>((resolve) =>
      body.once('data', (chunk: Buffer) => {
        body.pause();
        resolve(chunk);
      }),
    );
    await store.delete(key);
    const rest = await drain(body);
    expect(sha(Buffer.concat([first, rest!]))).toBe(sha(bytes));
    expect(await cache.info(key)).toBeNull();
  });
});
