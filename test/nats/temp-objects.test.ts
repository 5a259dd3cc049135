import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { connectNats, type Nats } from '../../shared/nats/connection';
import { putTempObject, readTempObject, jetStreamDigest } from '../../shared/nats/temp-objects';
import { startTestNats, type TestNats } from '../harness/nats';
import { randomSuffix } from '../harness/temp';

const BLOCK = randomBytes(1 << 20);

/** A body of `size` bytes streamed in 1 MiB pieces: random bytes, each piece stamped with its index and seed. */
function* body(size: number, seed: number): Generator<Buffer> {
  for (let i = 0, left = size; left > 0; i++, left -= BLOCK.length) {
    const chunk = Buffer.from(BLOCK.subarray(0, Math.min(left, BLOCK.length)));
    if (chunk.length >= 8) {
      chunk.writeUInt32LE(i, 0);
      chunk.writeUInt32LE(seed, 4);
    }
    yield chunk;
  }
}

const sha = (size: number, seed: number) => {
  const h = createHash('sha256');
  for (const c of body(size, seed)) h.update(c);
  return h.digest('hex');
};

async function readAll(stream: Readable): Promise<{ sha256: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const c of stream) {
    h.update(c as Buffer);
    size += (c as Buffer).length;
  }
  return { sha256: h.digest('hex'), size };
}

/**
 * The temp object store on this machine's nats-server (DESIGN §9: verify digests ourselves;
 * objects past 2 MiB must not stall): exact bytes back, for empty, odd-sized and large objects.
 */
describe('temp objects through JetStream', () => {
  let server: TestNats;
  let nats: Nats;
  const bucket = `temp_${Math.floor(Math.random() * 900) + 100}`;

  beforeAll(async () => {
    server = await startTestNats(1);
    nats = await connectNats(server.urls, 'temp-objects', 1);
    await nats.objm.create(bucket);
  });

  afterAll(async () => {
    await nats?.nc.close();
    await server?.stop();
  });

  test.each([
    ['empty', 0],
    ['one byte short of a chunk', 128 * 1024 - 1],
    ['odd-sized, many chunks', 3 * 1024 * 1024 + 17],
    ['64 MiB', 64 * 1024 * 1024],
  ])(
    "%s: the bytes read back are the bytes put, digests ours and JetStream's",
    async (_name, size) => {
      const name = `obj_${randomSuffix()}`;
      const put = await putTempObject(nats, bucket, { name }, Readable.from(body(size, size + 1)));
      expect(put.sha256).toBe(sha(size, size + 1));
      expect(put.info.size).toBe(size);
      expect(put.info.digest).toBe(jetStreamDigest(put.sha256));
      const read = await readTempObject(nats, bucket, name, put.sha256);
      expect(await readAll(read!.body)).toEqual({ sha256: put.sha256, size });
    },
    60_000,
  );

  test('a wrong expected digest fails the read instead of passing bad bytes on', async () => {
    const name = `obj_${randomSuffix()}`;
    await putTempObject(nats, bucket, { name }, Readable.from(body(1000, 7)));
    const read = await readTempObject(nats, bucket, name, 'f'.repeat(64));
    await expect(readAll(read!.body)).rejects.toThrow(/digest check/);
  });

  test('chunks purged mid-read end the read with STORAGE_UNAVAILABLE after the idle limit, not never', async () => {
    // 20 MiB is 160 chunks: the consumer pulls 64 at a time, so most are still to come.
    const size = 20 * 1024 * 1024;
    const name = `obj_${randomSuffix()}`;
    const put = await putTempObject(nats, bucket, { name }, Readable.from(body(size, 11)));
    const idleMs = 500;
    const read = await readTempObject(nats, bucket, name, put.sha256, idleMs);
    const chunks = read!.body[Symbol.asyncIterator]();
    expect((await chunks.next()).done).toBe(false);
    await nats.jsm.streams.purge(`OBJ_${bucket}`, { filter: `$O.${bucket}.C.${put.info.nuid}` });
    const started = Date.now();
    const drained = (async () => {
      for (let c = await chunks.next(); !c.done; c = await chunks.next()) void c;
    })();
    await expect(drained).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    // The idle limit, the iterator's stop and the consumer's delete: seconds, not a hang.
    expect(Date.now() - started).toBeLessThan(idleMs + 10_000);
  });

  test('a small object is read by direct gets: exact bytes, and no consumer is made for it', async () => {
    const name = `obj_${randomSuffix()}`;
    const bytes = Buffer.concat([...body(5 * 128 * 1024 + 77, 3)]); // 6 chunks
    const put = await putTempObject(nats, bucket, { name }, Readable.from([bytes]));
    const made: string[] = [];
    const watcher = nats.nc.subscribe(`$JS.API.CONSUMER.CREATE.OBJ_${bucket}.>`, {
      callback: (_, m) => {
        made.push(m.subject);
      },
    });
    await nats.nc.flush();
    const read = await readTempObject(nats, bucket, name, put.sha256);
    const chunks: Buffer[] = [];
    for await (const c of read!.body) chunks.push(c as Buffer);
    await nats.nc.flush();
    watcher.unsubscribe();
    expect(read!.info.chunks).toBe(6);
    expect(Buffer.concat(chunks)).toEqual(bytes);
    expect(made).toEqual([]);
  });

  test('a small object whose chunks went after its info was read ends the read with STORAGE_UNAVAILABLE within seconds', async () => {
    const name = `obj_${randomSuffix()}`;
    const put = await putTempObject(nats, bucket, { name }, Readable.from(body(3 * 128 * 1024, 5)));
    const read = await readTempObject(nats, bucket, name, put.sha256);
    await nats.jsm.streams.purge(`OBJ_${bucket}`, { filter: `$O.${bucket}.C.${put.info.nuid}` });
    const started = Date.now();
    await expect(readAll(read!.body)).rejects.toMatchObject({
      code: 'STORAGE_UNAVAILABLE',
      message: expect.stringMatching(/chunk 1 of 3 is gone/),
    });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  test('a chunk a lagging replica does not have yet is read on a later look, not called gone', async () => {
    const name = `obj_${randomSuffix()}`;
    const bytes = Buffer.concat([...body(3 * 128 * 1024, 7)]); // 3 chunks
    const put = await putTempObject(nats, bucket, { name }, Readable.from([bytes]));
    // One server here: the lagging third replica of an R3 stream is injected, answering "no
    // such message" to the first two direct gets of the second chunk.
    let gets = 0;
    const direct = {
      getMessage: (stream: string, query: Parameters<Nats['jsm']['direct']['getMessage']>[1]) =>
        ++gets === 2 || gets === 3 ? Promise.resolve(null) : nats.jsm.direct.getMessage(stream, query),
    };
    const lagging = { ...nats, jsm: Object.assign(Object.create(nats.jsm), { direct }) } as Nats;
    const read = await readTempObject(lagging, bucket, name, put.sha256);
    const chunks: Buffer[] = [];
    for await (const c of read!.body) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks)).toEqual(bytes);
    expect(gets).toBe(5);
  });

  test('a missing object is null', async () => {
    expect(await readTempObject(nats, bucket, 'nothing_here')).toBeNull();
  });
});
