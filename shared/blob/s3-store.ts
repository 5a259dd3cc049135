import { randomUUID } from 'node:crypto';
import { addAbortSignal, Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { StorageError } from '../errors';
import { mapLimit } from './concurrency';
import { hashBody, readUpTo, resume, writtenInfo } from './body';
import { normaliseSha256, type DigestStream } from './digest';
import { assertValidKey, assertValidPrefix, pageLimit, RESERVED_PREFIX } from './keys';
import { decodeCursor, encodeCursor } from './cursor';
import { assertValidRange, checkServedRange, parseContentRange, rangeHeader } from './range';
import type { BlobInfo, BlobRead, BlobStore, GetOptions, ListOptions, ListPage, PutOptions } from './types';
import { displayUrl, type S3Url } from './url';

/**
 * `s3://bucket?region=…[&endpoint=…&s3ForcePathStyle=true&disableSSL=true]` — AWS SDK v3.
 *
 * Writes: an object that fits in one part is buffered (≤ PART_SIZE) and sent as one PutObject
 * with its sha256 as user metadata; a larger one streams through lib-storage's multipart
 * Upload, whose memory is bounded by PART_SIZE × QUEUE_SIZE. Both commit only once the body has
 * *ended*, and the digest check fails the body before that, so a mismatch, a failing body or an
 * abort leaves no object (lib-storage aborts the multipart upload). S3 fixes user metadata when
 * an upload starts, so a multipart write without an expected digest records it afterwards with
 * a metadata-only self-copy guarded by the ETag we wrote (`CopySourceIfMatch`): it can never
 * stamp our digest on another writer's bytes.
 */

const PART_SIZE = 8 * 1024 * 1024;
// 2 cores: 4 parts in flight saturate loopback and keep the buffer at 32 MiB.
const QUEUE_SIZE = 4;
// CopyObject's limit; a larger multipart object without an expected digest keeps none.
const MAX_COPY_BYTES = 5 * 1024 ** 3;
const META_SHA256 = 'sha256';

/** SigV4 takes a present `x-amz-content-sha256` as the payload hash instead of hashing the body. */
function withPayloadHash(command: PutObjectCommand, sha256: string): PutObjectCommand {
  command.middlewareStack.add(
    (next) => (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers['x-amz-content-sha256'] = sha256;
      return next(args);
    },
    { step: 'build', name: 'knownPayloadHash' },
  );
  return command;
}

export async function createS3Store(url: S3Url, env: NodeJS.ProcessEnv): Promise<S3BlobStore> {
  return new S3BlobStore(url, s3ClientFor(url, env));
}

/** A client configured as the driver's (also for presigned uploads, shared/presigned-upload/). */
export function s3ClientFor(url: S3Url, env: NodeJS.ProcessEnv): S3Client {
  return new S3Client(clientConfig(url, env));
}

function clientConfig(url: S3Url, env: NodeJS.ProcessEnv): S3ClientConfig {
  return {
    region: url.region,
    endpoint: url.endpoint,
    forcePathStyle: url.forcePathStyle,
    credentials: credentialsFrom(url, env),
    maxAttempts: 3,
    // The SDK's default CRC32 trailers (aws-chunked bodies) are not spoken by every
    // S3-compatible server; we verify content with our own sha256 anyway.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: 5_000 },
  };
}

/**
 * Standard AWS variables. With a custom endpoint and no keys we stop rather than let the SDK
 * probe instance metadata or pick up an unrelated profile: S3-compatible servers need explicit
 * keys (LocalStack and s3rver accept any, e.g. test/test).
 */
function credentialsFrom(url: S3Url, env: NodeJS.ProcessEnv): S3ClientConfig['credentials'] {
  const id = env.AWS_ACCESS_KEY_ID;
  const secret = env.AWS_SECRET_ACCESS_KEY;
  if (id && secret)
    return { accessKeyId: id, secretAccessKey: secret, sessionToken: env.AWS_SESSION_TOKEN || undefined };
  if (id || secret) {
    throw new StorageError(
      'BAD_CONFIG',
      `s3: ${id ? 'AWS_ACCESS_KEY_ID' : 'AWS_SECRET_ACCESS_KEY'} is set but ${id ? 'AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID'} is not`,
    );
  }
  if (url.endpoint && !env.AWS_PROFILE) {
    throw new StorageError(
      'BAD_CONFIG',
      `s3://${url.bucket} with endpoint=${url.endpoint}: no credentials; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (LocalStack accepts any, e.g. test/test)`,
    );
  }
  return undefined; // the SDK's default chain: env, SSO, shared config (AWS_PROFILE), web identity, ECS, EC2
}

export class S3BlobStore implements BlobStore {
  readonly scheme = 's3' as const;
  readonly displayUrl: string;
  readonly abilities = { copy: true } as const;
  private readonly bucket: string;

  constructor(
    private readonly url: S3Url,
    private readonly client: S3Client,
  ) {
    this.bucket = url.bucket;
    this.displayUrl = displayUrl(url);
  }

  async check(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      throw this.checkError(err, 'reach');
    }
    const probe = `${RESERVED_PREFIX}check/${randomUUID()}`;
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: probe, Body: 'probe' }));
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: probe }));
    } catch (err) {
      throw this.checkError(err, 'write to');
    }
  }

  async put(key: string, body: Readable, options: PutOptions = {}): Promise<BlobInfo> {
    assertValidKey(key);
    const expected = normaliseSha256(options.sha256);
    const hashed = hashBody(body, expected, options.size, options.signal);
    const digest = hashed.digest;
    try {
      const head = await readUpTo(hashed.stream, PART_SIZE);
      const sha256 = head.ended ? digest.sha256 : expected;
      const params = {
        Bucket: this.bucket,
        Key: key,
        ContentType: options.contentType,
        Metadata: sha256 ? { [META_SHA256]: sha256 } : undefined,
      };
      if (head.ended) {
        // The digest is already known, so SigV4 need not hash the body a second time (issue 12:
        // backup CPU beside rclone's). A buffer, not a stream, so the SDK's retries can resend it;
        // a body read in one chunk (the archiver reads small files whole) is sent without a copy.
        const data = head.chunks.length === 1 ? head.chunks[0] : Buffer.concat(head.chunks);
        const put = new PutObjectCommand({ ...params, Body: data, ContentLength: data.length });
        await this.client.send(withPayloadHash(put, digest.sha256), { abortSignal: options.signal });
      } else {
        const etag = await this.upload(
          params,
          Readable.from(resume(head), { objectMode: false }),
          options.signal,
        );
        if (!expected) await this.recordDigest(key, etag, digest, options.contentType);
      }
      return writtenInfo(key, hashed, options.contentType);
    } catch (err) {
      hashed.stream.destroy();
      throw hashed.error() ?? abortReason(options.signal) ?? s3Error(err, `put ${key}`);
    }
  }

  async get(key: string, options: GetOptions = {}): Promise<BlobRead | null> {
    assertValidKey(key);
    if (options.range) assertValidRange(options.range);
    let res;
    try {
      res = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Range: options.range ? rangeHeader(options.range) : undefined,
        }),
        { abortSignal: options.signal },
      );
    } catch (err) {
      if (isNotFound(err)) return null;
      throw s3Error(err, `get ${key}`);
    }
    const body = res.Body as Readable;
    const served = options.range ? parseContentRange(res.ContentRange) : undefined;
    const size = served ? served.size : (res.ContentLength ?? 0);
    if (options.range) checkServedRange('s3', key, options.range, served, size, body);
    if (options.signal) addAbortSignal(options.signal, body);
    const info = toInfo(key, { ...res, ContentLength: size });
    return { info, body, range: served ? { start: served.start, end: served.end } : undefined };
  }

  async head(key: string): Promise<BlobInfo | null> {
    assertValidKey(key);
    return this.headRaw(key);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    assertValidPrefix(prefix);
    const limit = pageLimit(options.limit);
    // Our cursor is the last key returned, which is exactly ListObjects' Marker. The v1 call is
    // the one every S3-compatible server speaks (s3rver's v2 continuation tokens use DES, which
    // OpenSSL 3 refuses).
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
    let res;
    try {
      res = await this.client.send(
        new ListObjectsCommand({ Bucket: this.bucket, Prefix: prefix, MaxKeys: limit, Marker: after }),
      );
    } catch (err) {
      throw s3Error(err, `list ${prefix}`);
    }
    const listed = (res.Contents ?? []).filter((o) => !o.Key!.startsWith(RESERVED_PREFIX));
    // Listings carry no user metadata: the digest and type cost one HEAD per item.
    const infos =
      options.details === false
        ? listed.map((o): BlobInfo => ({ key: o.Key!, size: o.Size ?? 0, modified: o.LastModified }))
        : await mapLimit(listed, 16, (o) => this.headRaw(o.Key!));
    const last = res.Contents?.at(-1)?.Key;
    return {
      items: infos.filter((i): i is BlobInfo => i !== null),
      cursor: res.IsTruncated && last ? encodeCursor(last) : undefined,
    };
  }

  /** S3's DELETE answers the same whether or not the key existed, so we look first. */
  async delete(key: string): Promise<boolean> {
    assertValidKey(key);
    if (!(await this.headRaw(key))) return false;
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (err) {
      throw s3Error(err, `delete ${key}`);
    }
  }

  async copy(from: string, to: string): Promise<BlobInfo> {
    assertValidKey(from);
    assertValidKey(to);
    const source = await this.headRaw(from);
    if (!source) throw new StorageError('NOT_FOUND', `copy: no such key ${JSON.stringify(from)}`);
    if (source.size > MAX_COPY_BYTES) {
      throw new StorageError(
        'UNSUPPORTED_OPERATION',
        `s3 copy of objects over 5 GiB is not supported (${from} is ${source.size} bytes)`,
      );
    }
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: to,
          CopySource: copySource(this.bucket, from),
          MetadataDirective: 'COPY',
        }),
      );
    } catch (err) {
      throw s3Error(err, `copy ${from} to ${to}`);
    }
    return { ...source, key: to, modified: new Date() };
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private async headRaw(key: string): Promise<BlobInfo | null> {
    try {
      return toInfo(key, await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key })));
    } catch (err) {
      if (isNotFound(err)) return null;
      throw s3Error(err, `head ${key}`);
    }
  }

  private async upload(
    params: PutParams,
    body: Readable,
    signal: AbortSignal | undefined,
  ): Promise<string | undefined> {
    const upload = new Upload({
      client: this.client,
      params: { ...params, Body: body },
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
      leavePartsOnError: false,
    });
    const abort = () => void upload.abort();
    signal?.addEventListener('abort', abort, { once: true });
    try {
      const result = await upload.done();
      return result.ETag;
    } finally {
      signal?.removeEventListener('abort', abort);
    }
  }

  /** Metadata-only self-copy, only if the object is still the one we wrote (its ETag). */
  private async recordDigest(
    key: string,
    etag: string | undefined,
    digest: DigestStream,
    contentType?: string,
  ): Promise<void> {
    if (!etag || digest.size > MAX_COPY_BYTES) return;
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: key,
          CopySource: copySource(this.bucket, key),
          CopySourceIfMatch: etag,
          MetadataDirective: 'REPLACE',
          ContentType: contentType,
          Metadata: { [META_SHA256]: digest.sha256 },
        }),
      );
    } catch (err) {
      // Another writer replaced the object after ours: its write wins, with its own digest.
      if (statusOf(err) === 412) return;
      throw err;
    }
  }

  private checkError(err: unknown, action: string): StorageError {
    const where = `s3 bucket "${this.bucket}" (region ${this.url.region}${this.url.endpoint ? `, endpoint ${this.url.endpoint}` : ''})`;
    const status = statusOf(err);
    const name = (err as Error).name;
    if (name === 'CredentialsProviderError') {
      return new StorageError(
        'BAD_CONFIG',
        `cannot ${action} ${where}: no AWS credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE)`,
        { cause: err },
      );
    }
    if (status === 404 || name === 'NoSuchBucket' || name === 'NotFound') {
      return new StorageError('BAD_CONFIG', `${where} does not exist`, { cause: err });
    }
    if (status === 403 || name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch') {
      return new StorageError(
        'BAD_CONFIG',
        `cannot ${action} ${where}: access denied (${name}); check the AWS credentials and the bucket policy`,
        { cause: err },
      );
    }
    if (status === 301) {
      return new StorageError(
        'BAD_CONFIG',
        `${where} is in another region; set ?region= to the bucket's region`,
        { cause: err },
      );
    }
    return new StorageError('STORAGE_UNAVAILABLE', `cannot ${action} ${where}: ${describeS3(err)}`, {
      cause: err,
    });
  }
}

type PutParams = { Bucket: string; Key: string; ContentType?: string; Metadata?: Record<string, string> };

function toInfo(
  key: string,
  res: {
    ContentLength?: number;
    ContentType?: string;
    LastModified?: Date;
    Metadata?: Record<string, string>;
  },
): BlobInfo {
  return {
    key,
    size: res.ContentLength ?? 0,
    sha256: res.Metadata?.[META_SHA256],
    contentType: res.ContentType,
    modified: res.LastModified,
  };
}

function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

export function isNotFound(err: unknown): boolean {
  const name = (err as Error | undefined)?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || (statusOf(err) === 404 && name !== 'NoSuchBucket');
}

function abortReason(signal: AbortSignal | undefined): unknown {
  if (!signal?.aborted) return undefined;
  return Object.assign(new Error('The operation was aborted', { cause: signal.reason }), {
    name: 'AbortError',
  });
}

function describeS3(err: unknown): string {
  const e = err as Error & { code?: string };
  const status = statusOf(err);
  return `${e.name}${e.code && e.code !== e.name ? ` ${e.code}` : ''}${status ? ` (HTTP ${status})` : ''}: ${e.message}`.replace(
    /\s+/g,
    ' ',
  );
}

export function s3Error(err: unknown, what: string): unknown {
  if (err instanceof StorageError || (err as Error | undefined)?.name === 'AbortError') return err;
  if ((err as Error | undefined)?.name === 'InvalidRange' || statusOf(err) === 416) {
    return new StorageError('RANGE_NOT_SATISFIABLE', `s3 ${what}: the range is outside the object`, {
      cause: err,
    });
  }
  return new StorageError('STORAGE_UNAVAILABLE', `s3 ${what}: ${describeS3(err)}`, { cause: err });
}
