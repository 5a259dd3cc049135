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
