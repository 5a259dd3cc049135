import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { RESERVED_PREFIX } from '../blob/keys';
import { isNotFound, s3ClientFor, s3Error } from '../blob/s3-store';
import { parseBlobUrl, type S3Url } from '../blob/url';
import { StorageError } from '../errors';

/**
 * Where a slot's bytes wait: the long-term bucket itself, under the driver's reserved prefix
 * (listings skip it, so repair and the catalog never see a staged upload). Presigned URLs are
 * SigV4-signed by the functions' own credentials and expire with the slot. Staged objects of
 * slots nobody completes need a lifecycle rule on the prefix (README "Deploying to AWS").
 */
export const STAGING_PREFIX = `${RESERVED_PREFIX}uploads/`;

export class S3Staging {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  keyOf(id: string): string {
    return `${STAGING_PREFIX}${id}`;
  }

  // The URLs carry no checksum parameters: browsers cannot add the SDK's CRC trailers, and the
  // node checks the sha256 itself on completion.
  presignPut(key: string, expiresIn: number): Promise<string> {
    return getSignedUrl(this.client, new PutObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn });
  }

  async startMultipart(key: string): Promise<string> {
    try {
      const res = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key }));
      return res.UploadId!;
    } catch (err) {
      throw s3Error(err, `start multipart ${key}`);
    }
  }

  presignPart(key: string, uploadId: string, partNumber: number, expiresIn: number): Promise<string> {
    const command = new UploadPartCommand({
      Bucket: this.bucket,
      Key: key,
      UploadId: uploadId,
      PartNumber: partNumber,
    });
    return getSignedUrl(this.client, command, { expiresIn });
  }

  async assemble(
    key: string,
    uploadId: string,
    parts: { PartNumber: number; ETag: string }[],
  ): Promise<void> {
    try {
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    } catch (err) {
      const name = (err as Error).name;
      // S3's answers to a part list that is not what was uploaded: the client's mistake.
      if (['InvalidPart', 'InvalidPartOrder', 'EntityTooSmall', 'NoSuchUpload'].includes(name))
        throw new StorageError('UPLOAD_SLOT_BAD_PARTS', `S3 refused the parts: ${name}`, { cause: err });
      throw s3Error(err, `complete multipart ${key}`);
    }
  }

  async abortMultipart(key: string, uploadId: string): Promise<void> {
    await this.client
      .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }))
      .catch(() => undefined); // best effort: the bucket's lifecycle rule is the backstop
  }

  /** The staged object's size, or null when nothing is there. */
  async size(key: string): Promise<number | null> {
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return res.ContentLength ?? 0;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw s3Error(err, `head ${key}`);
    }
  }

  async read(key: string): Promise<Readable> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return res.Body as Readable;
    } catch (err) {
      throw s3Error(err, `get ${key}`);
    }
  }

  async remove(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })).catch(() => undefined);
  }
}

const clients = new Map<string, S3Staging>();

/**
 * The staging area of the node's long-term store, or PRESIGNED_UPLOADS_NEED_S3: presigned URLs
 * are an S3 feature, and a node on another store takes bodies itself (POST /storage/file).
 * One client per store URL, kept for the life of the process (a warm Lambda reuses it).
 */
export function stagingFor(storageUrl: string, env: NodeJS.ProcessEnv = process.env): S3Staging {
  let staging = clients.get(storageUrl);
  if (staging) return staging;
  const url = parseBlobUrl(storageUrl, env);
  if (url.scheme !== 's3')
    throw new StorageError(
      'PRESIGNED_UPLOADS_NEED_S3',
      `This node stores in ${url.scheme}://; presigned upload slots need an s3:// store`,
    );
  staging = new S3Staging(s3ClientFor(url as S3Url, env), url.bucket);
  clients.set(storageUrl, staging);
  return staging;
}
