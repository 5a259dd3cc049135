import { Readable } from 'node:stream';
import { isStorageError, type ErrorCode } from '../../shared/errors';
import type { BlobInfo, BlobStore } from '../../shared/blob/types';
import {
  digestOf,
  failingBody,
  gatedBody,
  patternBytes,
  patternStream,
  randomId,
  readAll,
  sha256,
  trickle,
} from './streams';

/**
 * The one behaviour every BlobStore driver must have (DESIGN §6, STYLE §2), written once and
 * run by each driver's test file against a real backend. Every test works under a random
 * namespace and the suite deletes what it made in afterAll.
 */
export interface ConformanceOptions {
  /** Size of the large streamed object; 100 MiB unless a driver's file says why not. */
  largeSize?: number;
}

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const MiB = 1024 * 1024;

export async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  const err = await promise.then(
    () => new Error(`expected a StorageError ${code}, but the call succeeded`),
    (e: unknown) => e,
  );
  if (!isStorageError(err)) throw err instanceof Error ? err : new Error(String(err));
  expect(err.code).toBe(code);
}

/** Byte equality by size and digest: jest's toEqual walks a Buffer element by element (seconds for 1 MB). */
export function expectSameBytes(actual: Buffer | null, expected: Buffer): void {
  expect(actual && { size: actual.length, sha256: sha256(actual) }).toEqual({
    size: expected.length,
    sha256: sha256(expected),
  });
}

export function runBlobConformance(
  name: string,
  makeStore: () => Promise<BlobStore>,
  options: ConformanceOptions = {},
): void {
  const largeSize = options.largeSize ?? 100 * MiB;

  describe(`${name}: BlobStore conformance`, () => {
    let store: BlobStore;
    const ns = `conf-${randomId()}`;
    const key = (rest: string) => `${ns}/${rest}`;

    async function putBytes(k: string, bytes: Buffer, contentType?: string): Promise<BlobInfo> {
      return store.put(k, Readable.from([bytes], { objectMode: false }), { contentType });
    }

    async function getBytes(k: string): Promise<Buffer | null> {
      const got = await store.get(k);
      return got ? readAll(got.body) : null;
    }

    beforeAll(async () => {
      store = await makeStore();
    });

    afterAll(async () => {
      if (!store) return;
      try {
        let cursor: string | undefined;
        do {
          const page = await store.list(`${ns}/`, { cursor });
          await Promise.all(page.items.map((item) => store.delete(item.key)));
          cursor = page.cursor;
        } while (cursor);
      } finally {
        await store.close();
      }
    });

    test('check() passes on a reachable, writable store', async () => {
      await expect(store.check()).resolves.toBeUndefined();
    });

    test('round-trips bytes, size, sha256 and content type', async () => {
      // Prepare
      const bytes = patternBytes(1, 0, 70_000 - 1);
      const k = key('round/trip.bin');
      // Act
      const put = await putBytes(k, bytes, 'audio/mpeg');
      const head = await store.head(k);
      const got = await store.get(k);
      // Assess
      expect(put).toMatchObject({ key: k, size: 70_000, sha256: sha256(bytes), contentType: 'audio/mpeg' });
      expect(head).toMatchObject({ key: k, size: 70_000, sha256: sha256(bytes), contentType: 'audio/mpeg' });
      expect(Number.isFinite(head?.modified?.getTime())).toBe(true);
      expect(got?.info).toMatchObject({
        key: k,
        size: 70_000,
        sha256: sha256(bytes),
        contentType: 'audio/mpeg',
      });
      expect(got?.range).toBeUndefined();
      expect(sha256(await readAll(got!.body))).toBe(sha256(bytes));
    });

    test('stores and reads an empty object', async () => {
      const k = key('empty/zero');
      const put = await putBytes(k, Buffer.alloc(0));
      expect(put).toMatchObject({ size: 0, sha256: EMPTY_SHA256 });
      expect(await store.head(k)).toMatchObject({ size: 0, sha256: EMPTY_SHA256 });
      expect(await getBytes(k)).toEqual(Buffer.alloc(0));
      await expectCode(store.get(k, { range: { start: 0 } }), 'RANGE_NOT_SATISFIABLE');
    });

    test(`streams a ${Math.round(largeSize / MiB)} MiB object in and out with exact digest`, async () => {
      // Prepare: the content is generated while it streams, never held whole.
      const seed = 7;
      const expected = await digestOf(patternStream(largeSize, seed));
      const k = key('large/object.bin');
      // Act
      const put = await store.put(k, patternStream(largeSize, seed), {
        contentType: 'application/octet-stream',
      });
      const got = await store.get(k);
      const read = await digestOf(got!.body);
      const mid = Math.floor(largeSize / 2) + 12_345;
      const slice = await store.get(k, { range: { start: mid, end: mid + MiB - 1 } });
      // Assess
      expect(put).toMatchObject({ size: largeSize, sha256: expected.sha256 });
      expect(got!.info).toMatchObject({ size: largeSize, sha256: expected.sha256 });
      expect(read).toEqual(expected);
      expect(slice!.range).toEqual({ start: mid, end: mid + MiB - 1 });
      expect(sha256(await readAll(slice!.body))).toBe(sha256(patternBytes(seed, mid, mid + MiB - 1)));
    });

    describe('ranges', () => {
      const size = 200_000;
      const bytes = patternBytes(3, 0, size - 1);
      const k = key('ranges/object.bin');
      beforeAll(async () => {
        await putBytes(k, bytes);
      });

      test.each([
        ['first byte', 0, 0],
        ['last byte', size - 1, size - 1],
        ['middle', 70_001, 140_000],
        ['open end', size - 10, undefined],
        ['end past the size (clamped)', size - 5, size + 1000],
      ])('%s', async (_label, start, end) => {
        const got = await store.get(k, { range: { start, end } });
        const last = Math.min(end ?? size - 1, size - 1);
        expect(got!.info.size).toBe(size);
        expect(got!.range).toEqual({ start, end: last });
        expectSameBytes(await readAll(got!.body), bytes.subarray(start, last + 1));
      });

      test('a start at or past the end is RANGE_NOT_SATISFIABLE', async () => {
        await expectCode(store.get(k, { range: { start: size } }), 'RANGE_NOT_SATISFIABLE');
        await expectCode(
          store.get(k, { range: { start: size + 10, end: size + 20 } }),
          'RANGE_NOT_SATISFIABLE',
        );
      });

      test('a malformed range is VALIDATION_FAILED', async () => {
        await expectCode(store.get(k, { range: { start: 10, end: 5 } }), 'VALIDATION_FAILED');
        await expectCode(store.get(k, { range: { start: -1 } }), 'VALIDATION_FAILED');
      });

      test('a range of a missing key is null', async () => {
        expect(await store.get(key('ranges/missing'), { range: { start: 0, end: 0 } })).toBeNull();
      });
    });

    test('non-ASCII and deep keys', async () => {
      const keys = [
        key('ünïcødé/日本語/🎵 track (1).mp3'),
        key('a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/deep.bin'),
        key('sp ace/quote\'and"dq&amp;+plus=eq?q#h%25.bin'),
      ];
      for (const [i, k] of keys.entries()) {
        const bytes = patternBytes(10 + i, 0, 999);
        await putBytes(k, bytes, 'text/plain; charset=utf-8');
        expectSameBytes(await getBytes(k), bytes);
        expect(await store.head(k)).toMatchObject({ key: k, size: 1000, sha256: sha256(bytes) });
      }
      const listed = await store.list(key('ünïcødé/'));
      expect(listed.items.map((i) => i.key)).toEqual([keys[0]]);
      for (const k of keys) expect(await store.delete(k)).toBe(true);
    });

    describe('list', () => {
      const names = ['a', 'b/1', 'b/2', 'c.mp3', 'd-e', 'd/f', 'z'];
      const keys = names.map((n) => key(`list/${n}`));
      const decoy = key('listx/other');
      beforeAll(async () => {
        await Promise.all(
          [...keys, decoy].map((k, i) => putBytes(k, Buffer.from(`content ${i}`), 'text/plain')),
        );
      });

      test('pages through a prefix with limit and cursor, in key order, with details', async () => {
        const pages: BlobInfo[][] = [];
        let cursor: string | undefined;
        do {
          const page = await store.list(key('list/'), { limit: 3, cursor });
          pages.push(page.items);
          cursor = page.cursor;
        } while (cursor && pages.length < 10);
        const all = pages.flat();
        expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
        expect(all.map((i) => i.key)).toEqual(
          [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))),
        );
        const first = all.find((i) => i.key === keys[0])!;
        expect(first).toMatchObject({
          size: 'content 0'.length,
          sha256: sha256(Buffer.from('content 0')),
          contentType: 'text/plain',
        });
      });

      test('without details: the same keys, pages and sizes, with a time', async () => {
        const full: BlobInfo[] = [];
        const bare: BlobInfo[] = [];
        for (const [out, details] of [
          [full, true],
          [bare, false],
        ] as const) {
          let cursor: string | undefined;
          do {
            const page = await store.list(key('list/'), { limit: 3, cursor, details });
            out.push(...page.items);
            cursor = page.cursor;
          } while (cursor && out.length < 20);
        }
        expect(bare.map((i) => [i.key, i.size])).toEqual(full.map((i) => [i.key, i.size]));
        // Written by this suite's beforeAll, so within the last hour (a Date from fs is of another realm).
        for (const item of bare) expect(item.modified!.getTime()).toBeGreaterThan(Date.now() - 3_600_000);
      });

      test('a prefix is a string prefix, not a folder', async () => {
        const page = await store.list(key('list'));
        expect(page.items.map((i) => i.key)).toEqual(expect.arrayContaining([...keys, decoy]));
        expect(page.items).toHaveLength(keys.length + 1);
        expect(page.cursor).toBeUndefined();
      });

      test('an empty prefix match is an empty page without cursor', async () => {
        expect(await store.list(key('nothing-here/'))).toEqual({ items: [] });
      });

      test('a cursor not made by the store is VALIDATION_FAILED', async () => {
        await expectCode(store.list(key('list/'), { cursor: '!!not-a-cursor!!' }), 'VALIDATION_FAILED');
      });
    });

    test('delete: true when something was deleted, false when nothing was there', async () => {
      const k = key('delete/me');
      await putBytes(k, Buffer.from('x'));
      expect(await store.delete(k)).toBe(true);
      expect(await store.head(k)).toBeNull();
      expect(await store.get(k)).toBeNull();
      expect(await store.delete(k)).toBe(false);
      expect(await store.delete(key('delete/never-existed'))).toBe(false);
    });

    test('overwrite replaces bytes and metadata', async () => {
      const k = key('overwrite/obj');
      const first = patternBytes(20, 0, 49_999);
      const second = patternBytes(21, 0, 9_999);
      await putBytes(k, first, 'image/jpeg');
      await putBytes(k, second, 'audio/mpeg');
      expectSameBytes(await getBytes(k), second);
      expect(await store.head(k)).toMatchObject({
        size: 10_000,
        sha256: sha256(second),
        contentType: 'audio/mpeg',
      });
    });

    test('a missing key reads as null', async () => {
      expect(await store.get(key('missing/nope'))).toBeNull();
      expect(await store.head(key('missing/nope'))).toBeNull();
    });

    test('concurrent writers to one key: the result is exactly one complete write', async () => {
      // Prepare: different sizes, so a mix of two writers cannot pass for either.
      const k = key('race/obj');
      const bodies = [0, 1, 2, 3].map((i) => patternBytes(30 + i, 0, MiB + i * 300_000 - 1));
      // Act
      const results = await Promise.allSettled(bodies.map((b) => store.put(k, trickle(b, 64 * 1024))));
      // Assess
      const failures = results.filter((r) => r.status === 'rejected');
      expect(failures).toEqual([]);
      const content = (await getBytes(k))!;
      const digest = sha256(content);
      expect(bodies.map(sha256)).toContain(digest);
      expect(await store.head(k)).toMatchObject({ size: content.length, sha256: digest });
    });

    test('concurrent multi-part writers: never a mix; a loser may fail, but only cleanly', async () => {
      // Prepare: above every driver's single-request size, so parts/blocks of writers interleave.
      const k = key('race/large');
      const sizes = [9 * MiB + 1, 10 * MiB + 7, 11 * MiB + 3];
      const digests = await Promise.all(sizes.map((size, i) => digestOf(patternStream(size, 80 + i))));
      // Act
      const results = await Promise.allSettled(
        sizes.map((size, i) => store.put(k, patternStream(size, 80 + i))),
      );
      // Assess: Azure's first Put Block List discards a racing writer's staged blocks, so
      // that writer fails with a StorageError; S3, GCS and files let every writer finish.
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [digests[i]] : []));
      for (const r of results) if (r.status === 'rejected') expect(isStorageError(r.reason)).toBe(true);
      expect(winners.length).toBeGreaterThan(0);
      const got = await store.get(k);
      const read = await digestOf(got!.body);
      expect(winners).toContainEqual(read);
      expect(got!.info).toMatchObject({ size: read.size, sha256: read.sha256 });
    });

    test('no partial object is visible while a write is in flight', async () => {
      const k = key('inflight/obj');
      const old = Buffer.from('old version');
      await putBytes(k, old);
      const head = patternBytes(40, 0, 300_000 - 1);
      const tail = patternBytes(41, 0, 300_000 - 1);
      const gate = gatedBody(head, tail);
      const writing = store.put(k, gate.body);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await getBytes(k)).toEqual(old);
      gate.release();
      await writing;
      expectSameBytes(await getBytes(k), Buffer.concat([head, tail]));
    });

    describe('expected digest', () => {
      test('a matching sha256 and size are accepted', async () => {
        const bytes = patternBytes(50, 0, 9_999);
        const k = key('digest/ok');
        const info = await store.put(k, Readable.from([bytes]), {
          sha256: sha256(bytes).toUpperCase(),
          size: 10_000,
        });
        expect(info).toMatchObject({ size: 10_000, sha256: sha256(bytes) });
      });

      test('a sha256 mismatch rejects with DIGEST_MISMATCH and leaves no object', async () => {
        const k = key('digest/bad-new');
        await expectCode(
          store.put(k, Readable.from([Buffer.from('actual')]), { sha256: sha256(Buffer.from('expected')) }),
          'DIGEST_MISMATCH',
        );
        expect(await store.head(k)).toBeNull();
        expect((await store.list(key('digest/bad-new'))).items).toEqual([]);
      });

      test('a mismatch on a multi-part sized object leaves nothing either', async () => {
        const k = key('digest/bad-large');
        const size = 12 * MiB;
        await expectCode(store.put(k, patternStream(size, 51), { sha256: EMPTY_SHA256 }), 'DIGEST_MISMATCH');
        expect(await store.head(k)).toBeNull();
      });

      test('a mismatch on overwrite keeps the old object whole', async () => {
        const k = key('digest/bad-overwrite');
        const old = Buffer.from('the old, good content');
        await putBytes(k, old);
        await expectCode(
          store.put(k, Readable.from([Buffer.from('new')]), { sha256: EMPTY_SHA256 }),
          'DIGEST_MISMATCH',
        );
        expect(await getBytes(k)).toEqual(old);
        expect(await store.head(k)).toMatchObject({ sha256: sha256(old) });
      });

      test('a size mismatch rejects with DIGEST_MISMATCH', async () => {
        const k = key('digest/bad-size');
        await expectCode(store.put(k, Readable.from([Buffer.from('12345')]), { size: 6 }), 'DIGEST_MISMATCH');
        expect(await store.head(k)).toBeNull();
      });

      test('a malformed expected sha256 is VALIDATION_FAILED', async () => {
        await expectCode(
          store.put(key('digest/malformed'), Readable.from([Buffer.from('x')]), { sha256: 'abc' }),
          'VALIDATION_FAILED',
        );
      });
    });

    test('a failing body rejects with its error and leaves no object', async () => {
      const k = key('failing/body');
      const boom = new Error('source broke');
      await expect(store.put(k, failingBody(patternBytes(60, 0, 99_999), boom))).rejects.toThrow(
        'source broke',
      );
      expect(await store.head(k)).toBeNull();
    });

    test('an aborted put rejects and leaves no object', async () => {
      const k = key('abort/put');
      const controller = new AbortController();
      const gate = gatedBody(patternBytes(61, 0, 99_999), Buffer.alloc(0));
      const writing = store.put(k, gate.body, { signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      await expect(writing).rejects.toMatchObject({ name: 'AbortError' });
      expect(await store.head(k)).toBeNull();
    });

    test('invalid keys are VALIDATION_FAILED on every call', async () => {
      const bad = [
        '',
        '../escape',
        `${ns}/../../escape`,
        '/absolute',
        'back\\slash',
        'nul\0byte',
        'a//b',
        'a/./b',
        'trailing/',
        '.blob-tmp/x',
      ];
      for (const k of bad) {
        await expectCode(store.put(k, Readable.from([Buffer.from('x')])), 'VALIDATION_FAILED');
        await expectCode(store.get(k), 'VALIDATION_FAILED');
        await expectCode(store.head(k), 'VALIDATION_FAILED');
        await expectCode(store.delete(k), 'VALIDATION_FAILED');
      }
    });

    test('copy: a server-side copy where the driver has it, UNSUPPORTED_OPERATION where it does not', async () => {
      const from = key('copy/source');
      const to = key('copy/target');
      const bytes = patternBytes(70, 0, 33_332);
      await putBytes(from, bytes, 'audio/mpeg');
      if (!store.abilities.copy) {
        await expectCode(store.copy(from, to), 'UNSUPPORTED_OPERATION');
        expect(await store.head(to)).toBeNull();
        return;
      }
      const info = await store.copy(from, to);
      expect(info).toMatchObject({ key: to, size: bytes.length, sha256: sha256(bytes) });
      expectSameBytes(await getBytes(to), bytes);
      expect(await store.head(to)).toMatchObject({ sha256: sha256(bytes), contentType: 'audio/mpeg' });
      await expectCode(store.copy(key('copy/missing'), key('copy/x')), 'NOT_FOUND');
    });
  });
}
