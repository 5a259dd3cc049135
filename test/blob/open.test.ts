import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkBlobStore, openBlobStore } from '../../shared/blob/open';
import { DEFAULT_STORAGE_URL, parseBlobUrl } from '../../shared/blob/url';
import { isStorageError } from '../../shared/errors';
import type { BlobStore } from '../../shared/blob/types';

/** Every bad `storage_driver_url` must stop a node with one line that says what is wrong. */
async function failure(url: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: string; message: string }> {
  const err = await openBlobStore(url, { env }).then(
    async (store) => {
      await store.close();
      throw new Error(`expected ${url} to fail`);
    },
    (e: unknown) => e,
  );
  if (!isStorageError(err)) throw err;
  expect(err.message).not.toContain('\n');
  return { code: err.code, message: err.message };
}

describe('storage_driver_url parsing', () => {
  test.each([
    [
      '',
      'storage_driver_url: empty; expected file:///dir, s3://bucket?region=…, gcs://bucket (gs://) or azblob://container',
    ],
    [' file:///tmp/x', 'storage_driver_url: " file:///tmp/x" has leading or trailing spaces'],
    [
      'not a url',
      'storage_driver_url: "not a url" is not a URL; expected file:///dir, s3://bucket?region=…, gcs://bucket (gs://) or azblob://container',
    ],
    [
      'ftp://host/x',
      'storage_driver_url: unknown scheme "ftp:" in "ftp://host/x"; expected file:///dir, s3://bucket?region=…, gcs://bucket (gs://) or azblob://container',
    ],
    [
      'file://tmp/x',
      'storage_driver_url: "file://tmp/x" names host "tmp"; an absolute directory needs three slashes: file:///tmp/x',
    ],
    [
      'file:relative/dir',
      'storage_driver_url: "file:relative/dir": write file URLs with an absolute path, file:///dir',
    ],
    ['file:///', 'storage_driver_url: refusing to use the file system root "/" as the store directory'],
    ['file:///tmp/x?mode=fast', 'storage_driver_url: file:// takes no options, got "?mode=fast"'],
    ['s3://', 'storage_driver_url: s3:// is missing the bucket name: s3://my-bucket'],
    ['s3://?region=us-east-1', 'storage_driver_url: s3:// is missing the bucket name: s3://my-bucket'],
    [
      's3://my-bucket',
      'storage_driver_url: s3://my-bucket has no region: add ?region=us-east-1 (or set AWS_REGION)',
    ],
    [
      's3://My_Bucket?region=us-east-1',
      'storage_driver_url: "My_Bucket" is not a valid s3 bucket name (3-63 of a-z 0-9 . -, starting and ending with a letter or digit)',
    ],
    [
      's3://my-bucket/some/path?region=us-east-1',
      'storage_driver_url: s3://my-bucket/some/path: paths inside the bucket are not supported; use a bucket per node',
    ],
    [
      's3://my-bucket?region=us-east-1&colour=blue',
      'storage_driver_url: unknown s3 option "colour" (allowed: region, endpoint, s3ForcePathStyle, disableSSL)',
    ],
    [
      's3://my-bucket?region=us-east-1&region=eu-west-1',
      'storage_driver_url: s3 option "region" is given twice',
    ],
    [
      's3://my-bucket?region=us-east-1&s3ForcePathStyle=yes',
      'storage_driver_url: s3 option s3ForcePathStyle=yes: expected true or false',
    ],
    [
      's3://my-bucket?region=us-east-1&disableSSL=true',
      'storage_driver_url: s3 option disableSSL=true needs an endpoint= (AWS itself is https only)',
    ],
    [
      's3://my-bucket?endpoint=https://x:4566&disableSSL=true',
      'storage_driver_url: s3 options disagree: endpoint=https://x:4566 is https but disableSSL=true',
    ],
    [
      's3://my-bucket?endpoint=ftp://x',
      'storage_driver_url: s3 option endpoint=ftp://x: expected http or https',
    ],
    [
      's3://my-bucket?endpoint=http://x:4566/path',
      'storage_driver_url: s3 option endpoint=http://x:4566/path must be scheme://host[:port] only',
    ],
    [
      's3://key:secret@my-bucket?region=us-east-1',
      "storage_driver_url: credentials in the URL are not accepted (they would leak into logs); use the cloud's environment variables",
    ],
    [
      's3://my-bucket:9000?region=us-east-1',
      'storage_driver_url: s3://my-bucket:9000: a bucket name has no port (for a custom endpoint use ?endpoint=)',
    ],
    ['gcs://', 'storage_driver_url: gcs:// is missing the bucket name: gcs://my-bucket'],
    ['azblob://', 'storage_driver_url: azblob:// is missing the container name: azblob://my-container'],
    [
      'azblob://bad--name',
      'storage_driver_url: "bad--name" is not a valid azblob container name (3-63 of a-z 0-9 -, no "--", starting and ending with a letter or digit)',
    ],
    ['azblob://ok-name#frag', 'storage_driver_url: "azblob://ok-name#frag" has a #fragment; remove it'],
  ])('%j → BAD_CONFIG', async (url, message) => {
    expect(await failure(url)).toEqual({ code: 'BAD_CONFIG', message });
  });

  test('the default is file:///tmp/audius_storage', () => {
    expect(DEFAULT_STORAGE_URL).toBe('file:///tmp/audius_storage');
    expect(parseBlobUrl(DEFAULT_STORAGE_URL)).toEqual({ scheme: 'file', root: '/tmp/audius_storage' });
  });

  test('good forms parse to their settings', () => {
    expect(parseBlobUrl('file:///srv/blobs%20one/')).toEqual({ scheme: 'file', root: '/srv/blobs one' });
    expect(parseBlobUrl('file://localhost/srv/x')).toEqual({ scheme: 'file', root: '/srv/x' });
    expect(parseBlobUrl('s3://my-bucket?region=eu-west-1', {})).toEqual({
      scheme: 's3',
      bucket: 'my-bucket',
      region: 'eu-west-1',
      endpoint: undefined,
      forcePathStyle: false,
    });
    expect(
      parseBlobUrl('s3://b.c.d?endpoint=localstack:4566&disableSSL=true&s3ForcePathStyle=true', {}),
    ).toEqual({
      scheme: 's3',
      bucket: 'b.c.d',
      region: 'us-east-1',
      endpoint: 'http://localstack:4566',
      forcePathStyle: true,
    });
    expect(parseBlobUrl('s3://my-bucket', { AWS_REGION: 'ap-south-1' })).toMatchObject({
      region: 'ap-south-1',
    });
    expect(parseBlobUrl('gs://my_bucket.example')).toEqual({ scheme: 'gcs', bucket: 'my_bucket.example' });
    expect(parseBlobUrl('azblob://audio-1')).toEqual({ scheme: 'azblob', container: 'audio-1' });
  });
});

describe('start-up check', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'blob-open-'));
  });
  afterAll(async () => {
    await fs.chmod(path.join(dir, 'readonly'), 0o755).catch(() => undefined);
    await fs.rm(dir, { recursive: true, force: true });
  });

  test('a writable directory opens, and displayUrl names it', async () => {
    const store = await openBlobStore(`file://${dir}/ok`);
    expect(store.scheme).toBe('file');
    expect(store.displayUrl).toBe(`file://${dir}/ok`);
    await store.close();
  });

  const root = process.getuid?.() === 0;
  test(`a read-only directory is BAD_CONFIG "not writable"${root ? ' (as root: checked through a failing check())' : ''}`, async () => {
    const ro = path.join(dir, 'readonly');
    await fs.mkdir(path.join(ro, '.blob-tmp'), { recursive: true });
    await fs.mkdir(path.join(ro, '.blob-meta'), { recursive: true });
    await fs.chmod(ro, 0o555);
    await fs.chmod(path.join(ro, '.blob-tmp'), 0o555);
    if (!root) {
      const err = await failure(`file://${ro}`);
      expect(err).toEqual({ code: 'BAD_CONFIG', message: `file store ${ro} is not writable (EACCES)` });
      return;
    }
    // root ignores permission bits; a store whose check fails the same way must still give one line.
    const store = await openBlobStore(`file://${ro}`, { check: false });
    const failing: BlobStore = Object.assign(Object.create(store) as BlobStore, {
      check: () =>
        Promise.reject(Object.assign(new Error('EACCES: permission denied,\n open'), { code: 'EACCES' })),
    });
    const err = await checkBlobStore(failing).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'STORAGE_UNAVAILABLE',
      message: `blob store file://${ro}: check failed: EACCES: permission denied, open`,
    });
  });
});
