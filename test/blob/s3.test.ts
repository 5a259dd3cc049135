import { Readable } from 'node:stream';
import { CopyObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { openBlobStore } from '../../shared/blob/open';
import { startS3Server, type S3Server } from '../harness/s3-server';
import { expectCode, runBlobConformance } from './conformance';
import { randomId } from './streams';

/**
 * The S3 driver against s3rver (started here, loopback, temp dir) and, when LOCALSTACK_ENDPOINT
 * is set (e.g. http://127.0.0.1:4566 with the localstack/ init script's bucket), LocalStack.
 */
const bucket = `conf-${randomId()}`;
let server: S3Server;

beforeAll(async () => {
  server = await startS3Server({ buckets: [bucket] });
});

afterAll(async () => {
  await server?.stop();
});

runBlobConformance('s3 (s3rver)', () => openBlobStore(server.storeUrl(bucket), { env: server.env }));

describe('s3 driver specifics (s3rver)', () => {
  test('a missing bucket fails the start-up check with BAD_CONFIG naming it', async () => {
    const err = await openBlobStore(server.storeUrl('no-such-bucket'), { env: server.env }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'BAD_CONFIG' });
    expect((err as Error).message).toContain('"no-such-bucket"');
    expect((err as Error).message).toContain('does not exist');
  });

  test('wrong credentials fail the start-up check with BAD_CONFIG', async () => {
    const err = await openBlobStore(server.storeUrl(bucket), {
      env: { AWS_ACCESS_KEY_ID: 'nobody', AWS_SECRET_ACCESS_KEY: 'wrong' },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BAD_CONFIG' });
    expect((err as Error).message).toMatch(/access denied/);
  });

  test('a custom endpoint without credentials is BAD_CONFIG at open', async () => {
    await expectCode(openBlobStore(server.storeUrl(bucket), { env: {} }), 'BAD_CONFIG');
  });

  test('an endpoint nobody listens on is STORAGE_UNAVAILABLE', async () => {
    const url = `s3://${bucket}?region=us-east-1&endpoint=http://127.0.0.1:9&s3ForcePathStyle=true`;
    const err = await openBlobStore(url, { env: server.env }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    expect((err as Error).message).toContain('127.0.0.1:9');
    expect((err as Error).message).not.toContain('\n');
  });

  test('the start-up probe leaves nothing in the bucket', async () => {
    const store = await openBlobStore(server.storeUrl(bucket), { env: server.env });
    try {
      await store.put(`probe-${randomId()}`, Readable.from([Buffer.from('x')]));
      const all = await store.list('');
      expect(all.items.filter((i) => i.key.startsWith('.blob-'))).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

const localstack = process.env.LOCALSTACK_ENDPOINT;
if (localstack) {
  const lsBucket = process.env.LOCALSTACK_BUCKET ?? 'audius-storage-test';
  runBlobConformance('s3 (LocalStack)', () =>
    openBlobStore(
      `s3://${lsBucket}?region=us-east-1&endpoint=${encodeURIComponent(localstack)}&s3ForcePathStyle=true`,
      {
        env: { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', ...process.env },
      },
    ),
  );
} else {
  describe('s3 (LocalStack)', () => {
    console.warn('LocalStack conformance skipped: set LOCALSTACK_ENDPOINT (and LOCALSTACK_BUCKET) to run it');
    test.skip('LocalStack conformance skipped: set LOCALSTACK_ENDPOINT=http://127.0.0.1:4566 (bucket from LOCALSTACK_BUCKET, default audius-storage-test)', () =>
      undefined);
  });
}

describe('the s3rver harness behaves like S3 where the driver relies on it', () => {
  test('a copy with a stale x-amz-copy-source-if-match is refused with 412', async () => {
    const client = new S3Client({
      region: server.region,
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
      maxAttempts: 1,
    });
    try {
      const key = `if-match-${randomId()}`;
      const put = await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'one' }));
      const copy = (etag: string) =>
        client.send(
          new CopyObjectCommand({
            Bucket: bucket,
            Key: key,
            CopySource: `${bucket}/${key}`,
            CopySourceIfMatch: etag,
            MetadataDirective: 'REPLACE',
            Metadata: { a: 'b' },
          }),
        );
      await expect(copy('"0123456789abcdef0123456789abcdef"')).rejects.toMatchObject({
        $metadata: { httpStatusCode: 412 },
      });
      await expect(copy(put.ETag!)).resolves.toBeDefined();
    } finally {
      client.destroy();
    }
  });
});
