import { Readable } from 'node:stream';
import { openFileStore } from '../../../shared/blob/file-store';
import { Catalog } from '../../../shared/repair/catalog';
import { TrackedBlobStore } from '../../../shared/repair/tracked-store';
import { tempDir } from '../../harness/temp';
import { createHash } from 'node:crypto';

const ID = 'cle4h8b1g000101q8l4tz2mkx';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const entry = (name: string, body: string) => ({ name, size: body.length, sha256: sha(body) });

describe('catalog: per-shard summaries', () => {
  test('the digest does not depend on the order files arrive, and removing undoes adding', () => {
    const a = new Catalog('0', 3);
    const b = new Catalog('0', 3);
    const files = ['1', '2', '3'].map((v) => entry(`${ID}_${v}.jpg`, `body ${v}`));
    files.forEach((e) => a.add('mkx', e));
    [...files].reverse().forEach((e) => b.add('mkx', e));
    expect(a.summary('mkx')).toEqual(b.summary('mkx'));
    expect(a.summary('mkx').count).toBe(3);
    b.add('mkx', entry(`${ID}_4.jpg`, 'x'));
    expect(b.summary('mkx')).not.toEqual(a.summary('mkx'));
    b.remove('mkx', `${ID}_4.jpg`);
    expect(b.summary('mkx')).toEqual(a.summary('mkx'));
    files.forEach((e) => b.remove('mkx', e.name));
    expect(b.summary('mkx')).toEqual({ count: 0, digest: '0'.repeat(32) });
    expect(b.summaries()).toEqual({});
  });

  test('the same name with other bytes changes the summary', () => {
    const a = new Catalog('0', 3);
    const b = new Catalog('0', 3);
    a.add('mkx', entry(`${ID}_1.jpg`, 'one'));
    b.add('mkx', entry(`${ID}_1.jpg`, 'two'));
    expect(a.summary('mkx').count).toBe(b.summary('mkx').count);
    expect(a.summary('mkx').digest).not.toBe(b.summary('mkx').digest);
  });

  test('only long-term keys of the right shard are catalogued', () => {
    const c = new Catalog('0', 3);
    expect(c.parseKey(`0_mkx/${ID}_320.mp3`)).toEqual({ shard: 'mkx', name: `${ID}_320.mp3` });
    expect(c.parseKey(`0_abc/${ID}_320.mp3`)).toBeNull();
    expect(c.parseKey(`1_mkx/${ID}_320.mp3`)).toBeNull();
    expect(c.parseKey(`quarantine/0_mkx/${ID}_320.mp3.1`)).toBeNull();
  });
});

describe('tracked store: the catalog follows the blob store', () => {
  test('built from a listing, kept by put and delete; a quarantined key reads as absent', async () => {
    const temp = tempDir('catalog');
    try {
      const raw = await openFileStore(temp.dir);
      await raw.put(`0_mkx/${ID}_1.jpg`, Readable.from([Buffer.from('one')]));
      const catalog = new Catalog('0', 3);
      const store = new TrackedBlobStore(raw, catalog);
      await catalog.build(raw);
      expect(catalog.list('mkx')).toEqual([entry(`${ID}_1.jpg`, 'one')]);
      await store.put(`0_mkx/${ID}_2.jpg`, Readable.from([Buffer.from('two')]));
      expect(catalog.summary('mkx').count).toBe(2);
      await store.delete(`0_mkx/${ID}_1.jpg`);
      expect(catalog.list('mkx').map((e) => e.name)).toEqual([`${ID}_2.jpg`]);
      expect(store.quarantine(`0_mkx/${ID}_2.jpg`)).toBe(true);
      expect(await store.get(`0_mkx/${ID}_2.jpg`)).toBeNull();
      expect(await store.head(`0_mkx/${ID}_2.jpg`)).toBeNull();
      expect(catalog.summary('mkx').count).toBe(0);
      // A verified put replaces the bad copy and lifts the quarantine.
      await store.put(`0_mkx/${ID}_2.jpg`, Readable.from([Buffer.from('two')]), { sha256: sha('two') });
      expect((await store.head(`0_mkx/${ID}_2.jpg`))?.sha256).toBe(sha('two'));
      expect(catalog.summary('mkx').count).toBe(1);
    } finally {
      temp.remove();
    }
  });

  test('a whole read of a rotten copy fails before its last bytes and reports the copy', async () => {
    const temp = tempDir('catalog-rot');
    try {
      const raw = await openFileStore(temp.dir);
      const catalog = new Catalog('0', 3);
      const store = new TrackedBlobStore(raw, catalog);
      await catalog.build(raw);
      const key = `0_mkx/${ID}_1.jpg`;
      const body = Buffer.alloc(300_000, 7);
      await store.put(key, Readable.from([body]));
      const reports: string[] = [];
      store.onCorrupt = (k, expected, actual) =>
        reports.push(`${k} ${expected === sha(body.toString())} ${actual.length}`);
      // Rot under the store's feet: same size, one byte different.
      const fs = await import('node:fs');
      const file = `${temp.dir}/${key}`;
      const bad = fs.readFileSync(file);
      bad[1000] ^= 1;
      fs.writeFileSync(file, bad);
      const read = (await store.get(key))!;
      const received: Buffer[] = [];
      await expect(
        (async () => {
          for await (const chunk of read.body) received.push(chunk as Buffer);
        })(),
      ).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
      expect(Buffer.concat(received).length).toBeLessThan(body.length);
      expect(reports).toEqual([`${key} true 64`]);
      // A clean copy reads whole.
      await store.put(key, Readable.from([body]));
      const ok = (await store.get(key))!;
      let n = 0;
      for await (const chunk of ok.body) n += (chunk as Buffer).length;
      expect(n).toBe(body.length);
    } finally {
      temp.remove();
    }
  });
});
