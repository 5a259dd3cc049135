import { parseBlobUrl } from '../blob/url';
import type { Config } from '../config';

/** What a client needs to choose between POST /storage/file and a presigned slot. */
export interface UploadConfig {
  /** Largest file the node accepts, bytes. */
  max_upload_bytes: number;
  /** Largest request body that reaches the node, bytes; null when nothing in front limits it. */
  max_direct_body_bytes: number | null;
  /** Whether POST /storage/upload-slots works here (the long-term store is s3://). */
  presigned_uploads: boolean;
}

export function uploadConfig(config: Config): UploadConfig {
  return {
    max_upload_bytes: config.maxUploadBytes,
    max_direct_body_bytes: config.maxDirectBodyMB > 0 ? config.maxDirectBodyMB * 1024 * 1024 : null,
    presigned_uploads: /^s3:/i.test(config.storageUrl),
  };
}

/**
 * Where a page PUTs the bytes of a slot: the S3 endpoint's origin (path-style servers such as
 * MinIO or LocalStack), else AWS's virtual-hosted bucket hosts. The dashboard's CSP names it
 * in connect-src, or the browser blocks the PUT. None when slots do not work here.
 */
export function slotUploadOrigins(config: Config): string[] {
  if (!uploadConfig(config).presigned_uploads) return [];
  const url = parseBlobUrl(config.storageUrl);
  if (url.scheme !== 's3') return [];
  return [url.endpoint ? new URL(url.endpoint).origin : 'https://*.amazonaws.com'];
}
