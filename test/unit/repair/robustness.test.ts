import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { openFileStore } from '../../../shared/blob/file-store';
import type { BlobStore } from '../../../shared/blob/types';
import { identityFromHex } from '../../../shared/identity/wallet';
import { Catalog } from '../../../shared/repair/catalog';
import { stillInStore } from '../../../shared/repair/listing';
import { PeerClient } from '../../../shared/repair/peer-client';
import { RateLimiter } from '../../../shared/repair/throttle';
import { TrackedBlobStore } from '../../../shared/repair/tracked-store';
import { randomKey } from '../../harness/config';
import { tempDir } from '../../harness/temp';

const ID = 'cle4h8b1g000101q8l4tz2mkx';
const KEY = `0_mkx/${ID}_1.jpg`;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function trackedStore(dir: string) {
  const raw = await openFileStore(dir);
  const catalog = new Catalog('0', 3);
  await catalog.build(raw);
  return { raw, catalog, store: new TrackedBlobStore(raw, catalog) };
}

describe('repair: what the review found', () => {
  test('a verified read abandoned early destroys the stream underneath (file handle, connection)', async () => {
    const temp = tempDir('early');
    try {
      const raw = await openFileStore(temp.dir);
      const catalog = new Catalog('0', 3);
      await catalog.build(raw);
      const body = Buffer.alloc(1 << 20, 1);
      catalog.add('mkx', { name: `${ID}_1.jpg`, size: body.length, sha256: sha(body) });
      const source = new Readable({ read() {} });
      source.push(body.subarray(0, 1000));
      const inner: BlobStore = Object.assign(Object.create(raw) as BlobStore, {
        get: () => Promise.resolve({ info: { key: KEY, size: body.length }, body: source }),
      });
      const read = (await new TrackedBlobStore(inner, catalog).get(KEY))!;
      expect(read.info.sha256).toBe(sha(body)); // the catalogued digest, for the ETag
      read.body.destroy();
      await new Promise((r) => setImmediate(r));
      expect(source.destroyed).toBe(true);
    } finally {
      temp.remove();
    }
  });

  test('the throttle leaves no abort listeners behind', async () => {
    const limiter = new RateLimiter(1_000_000);
    const controller = new AbortController();
    for (let i = 0; i < 20; i++) await limiter.take(100_000, controller.signal);
    expect(EventEmitter.getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  test('a catalog whose first listing failed lists again on the next call', async () => {
    const temp = tempDir('catalog-retry');
    try {
      const raw = await openFileStore(temp.dir);
      await raw.put(KEY, Readable.from([Buffer.from('one')]));
      let fail = true;
      const flaky: BlobStore = Object.assign(Object.create(raw) as BlobStore, {
        list: (prefix: string, options?: object) => {
          if (fail) return Promise.reject(new Error('503 from the store'));
          return raw.list(prefix, options);
        },
      });
      const catalog = new Catalog('0', 3);
      await expect(catalog.build(flaky)).rejects.toThrow('503');
      fail = false;
      await catalog.build(flaky);
      expect(catalog.isReady()).toBe(true);
      expect(catalog.list('mkx').map((e) => e.name)).toEqual([`${ID}_1.jpg`]);
    } finally {
      temp.remove();
    }
  });

  test('a verified put waits while quarantine moves the bad copy aside', async () => {
    const temp = tempDir('exclusive');
    try {
      const { store } = await trackedStore(temp.dir);
      const order: string[] = [];
      let release!: () => void;
      const moving = store.exclusively(KEY, async () => {
        order.push('move start');
        await new Promise<void>((r) => (release = r));
        order.push('move end');
      });
      const putting = store.put(KEY, Readable.from([Buffer.from('good')])).then(() => order.push('put'));
      await new Promise((r) => setTimeout(r, 20));
      release();
      await Promise.all([moving, putting]);
      expect(order).toEqual(['move start', 'move end', 'put']);
    } finally {
      temp.remove();
    }
  });

  test("trim's fresh listing leaves out a catalogued copy whose file is gone", async () => {
    const temp = tempDir('still');
    try {
      const { store, catalog } = await trackedStore(temp.dir);
      const one = Buffer.from('one');
      const two = Buffer.from('two');
      await store.put(KEY, Readable.from([one]));
      await store.put(`0_mkx/${ID}_2.jpg`, Readable.from([two]));
      fs.rmSync(`${temp.dir}/0_mkx/${ID}_2.jpg`); // gone under the running node
      const listed = await stillInStore(store, catalog, 'mkx', catalog.list('mkx'));
      expect(listed).toEqual([{ name: `${ID}_1.jpg`, size: 3, sha256: sha(one) }]);
    } finally {
      temp.remove();
    }
  });

  test('a listing that answers as another node is refused', async () => {
    const server = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ nodeId: '0x' + '9'.repeat(40), shard: 'mkx', files: [] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const client = new PeerClient(identityFromHex(randomKey()), 2000);
      const peer = {
        nodeId: '0x' + '1'.repeat(40),
        host: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      };
      await expect(client.listing(peer, 'mkx')).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
      await expect(client.summaries(peer)).rejects.toThrow(/answered as 0x9+/);
    } finally {
      server.close();
    }
  });

  test('listings of many shards go a few hundred a request, each shard answered', async () => {
    const peerId = '0x' + '1'.repeat(40);
    const asked: number[] = [];
    const server = http.createServer((req, res) => {
      const shards = new URL(req.url!, 'http://x').searchParams.get('s')!.split(',');
      asked.push(shards.length);
      const body = Object.fromEntries(
        shards.map((sh) => [
          sh,
          [{ name: `${ID.slice(0, 22)}${sh}_1.jpg`, size: 1, sha256: 'a'.repeat(64) }],
        ]),
      );
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ nodeId: peerId, shards: body }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const client = new PeerClient(identityFromHex(randomKey()), 2000);
      const peer = { nodeId: peerId, host: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
      const shards = Array.from({ length: 300 }, (_, i) => i.toString(36).padStart(3, '0'));
      const got = await client.listings(peer, shards);
      expect(asked).toEqual([256, 44]);
      expect(client.requests).toBe(2);
      expect([...got.keys()]).toEqual(shards);
      expect(got.get('07z')![0].name).toBe(`${ID.slice(0, 22)}07z_1.jpg`);
    } finally {
      server.close();
    }
  });
});
