import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { openBlobStore } from '../../shared/blob/open';
import type { BlobStore } from '../../shared/blob/types';
import { expectCode, runBlobConformance } from './conformance';
import { randomId, readAll, sha256 } from './streams';

let root: string;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'blob-file-'));
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

runBlobConformance('file', () => openBlobStore(`file://${path.join(root, 'conformance')}`));

describe('file driver specifics', () => {
  let dir: string;
  let store: BlobStore;

  beforeEach(async () => {
    dir = path.join(root, `specific-${randomId()}`);
    store = await openBlobStore(`file://${dir}`);
  });

  afterEach(async () => {
    await store.close();
  });

  test('objects are plain files at <dir>/<key>; no temp file is left behind', async () => {
    await store.put('0_abc/file.mp3', Readable.from([Buffer.from('hello')]));
    expect(await fs.readFile(path.join(dir, '0_abc', 'file.mp3'), 'utf8')).toBe('hello');
    expect(await fs.readdir(path.join(dir, '.blob-tmp'))).toEqual([]);
  });

  test('a failed put leaves no temp file', async () => {
    await expectCode(store.put('k', Readable.from([Buffer.from('x')]), { size: 2 }), 'DIGEST_MISMATCH');
    expect(await fs.readdir(path.join(dir, '.blob-tmp'))).toEqual([]);
  });

  test('stray temp files of a crashed writer are removed at open', async () => {
    const stray = path.join(dir, '.blob-tmp', '4242-deadbeef.0000.data');
    await fs.writeFile(stray, 'half a file');
    const reopened = await openBlobStore(`file://${dir}`);
    await reopened.close();
    await expect(fs.stat(stray)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('a sidecar that does not describe the data (crash between renames) gives no digest, not a wrong one', async () => {
    await store.put('k', Readable.from([Buffer.from('first')]), { contentType: 'text/plain' });
    // Simulate a crash after a new sidecar was renamed in but before its data was.
    const meta = JSON.parse(await fs.readFile(path.join(dir, '.blob-meta', 'k.json'), 'utf8'));
    await fs.writeFile(
      path.join(dir, '.blob-meta', 'k.json'),
      JSON.stringify({ ...meta, sha256: sha256(Buffer.from('other')), ino: meta.ino + 1 }),
    );
    const head = await store.head('k');
    expect(head).toMatchObject({ key: 'k', size: 5 });
    expect(head?.sha256).toBeUndefined();
    expect(head?.contentType).toBeUndefined();
  });

  test('a key cannot be both an object and a folder', async () => {
    await store.put('a', Readable.from([Buffer.from('x')]));
    await expectCode(store.put('a/b', Readable.from([Buffer.from('y')])), 'VALIDATION_FAILED');
    await store.put('c/d', Readable.from([Buffer.from('y')]));
    await expectCode(store.put('c', Readable.from([Buffer.from('x')])), 'VALIDATION_FAILED');
    expect(await store.head('c')).toBeNull();
    expect(await store.delete('c')).toBe(false);
  });

  test('a reader keeps the version it opened while a writer replaces it', async () => {
    await store.put('v', Readable.from([Buffer.from('version one')]));
    const reading = await store.get('v');
    await store.put('v', Readable.from([Buffer.from('version two, longer')]));
    expect((await readAll(reading!.body)).toString()).toBe('version one');
    expect(reading!.info.size).toBe('version one'.length);
  });

  test('readSmall: the info and, up to the limit, the whole bytes from one open; null when absent', async () => {
    const bytes = Buffer.from('a small file, read whole');
    const put = await store.put('0_abc/small.jpg', Readable.from([bytes]), { contentType: 'image/jpeg' });
    const whole = await store.readSmall!('0_abc/small.jpg', bytes.length);
    expect(whole?.info).toEqual(await store.head('0_abc/small.jpg'));
    expect(whole?.info).toMatchObject({ size: bytes.length, sha256: put.sha256, contentType: 'image/jpeg' });
    expect(whole?.bytes?.equals(bytes)).toBe(true);
    const larger = await store.readSmall!('0_abc/small.jpg', bytes.length - 1);
    expect(larger).toEqual({ info: whole?.info });
    expect(await store.readSmall!('0_abc/absent.jpg', 1024)).toBeNull();
    const empty = await store.put('0_abc/empty', Readable.from([Buffer.alloc(0)]));
    expect(await store.readSmall!('0_abc/empty', 1024)).toMatchObject({ info: { sha256: empty.sha256 } });
  });

  test('a sidecar longer than one read (a long content type) is read whole', async () => {
    const contentType = `application/x-${'long'.repeat(1000)}`;
    await store.put('long', Readable.from([Buffer.from('x')]), { contentType });
    expect((await store.head('long'))?.contentType).toBe(contentType);
  });

  test('the driver folders are never listed', async () => {
    await store.put('x', Readable.from([Buffer.from('x')]));
    expect((await store.list('')).items.map((i) => i.key)).toEqual(['x']);
  });

  test('a directory that cannot be created is BAD_CONFIG', async () => {
    const file = path.join(root, `plain-file-${randomId()}`);
    await fs.writeFile(file, '');
    await expectCode(openBlobStore(`file://${file}/store`), 'BAD_CONFIG');
  });
});
