import type { TemplateName } from '../transcode/templates';

/** Job states (DESIGN §4): pending → in_progress → done | error. */
export const JOB_STATUS = {
  pending: 'pending',
  inProgress: 'in_progress',
  done: 'done',
  error: 'error',
} as const;
export type JobStatus = (typeof JOB_STATUS)[keyof typeof JOB_STATUS];

export type Template = TemplateName;

/**
 * The temp object store's object info, as the original README shows it (`source_info`):
 * the upload's name is its job id, `description` the original file name.
 */
export interface SourceInfo {
  name: string;
  description: string;
  options: { max_chunk_size: number };
  bucket: string;
  nuid: string;
  /** Bytes. */
  size: number;
  mtime: string;
  chunks: number;
  /** `SHA-256=` + URL-safe base64 with padding (JetStream's form). */
  digest: string;
}

/** One transcoded output and where it lives. */
export interface JobResult {
  /** `<id>_<variant>.<ext>`. */
  name: string;
  variant: string;
  /** Bytes. */
  size: number;
  content_type: string;
  /** Lower-case hex SHA-256, computed by us (DESIGN §9). */
  sha256: string;
  /** Temp object store holding it until the storers copy it. */
  bucket: string;
  /**
   * Its object in that store: per attempt, `<name>.a<attempt>` (./temp-names.ts); absent in
   * records made before, whose temp object is `name`. Internal: redacted for public callers.
   */
  temp_name?: string;
  shard: string;
  /** Seconds, for audio. */
  duration?: number;
  /** Pixels, for images. */
  width?: number;
  height?: number;
  /** Node ids that stored it long-term, digest verified. */
  nodes: string[];
}

export interface Job {
  id: string;
  template: Template;
  status: JobStatus;
  created_at: string;
  started_at?: string;
  finished_at?: string;
  /** 0..1 while transcoding. */
  transcode_progress: number;
  /** What went wrong, readable, when status is `error`. */
  error?: string;
  /** ffprobe / sharp summary of the source. */
  probe?: unknown;
  source_info: SourceInfo;
  /** Lower-case hex SHA-256 of the upload, computed while it streamed in. */
  source_sha256: string;
  /** Node that took the upload. */
  upload_node: string;
  /** Wallet that signed the upload (issue 11); absent for an unsigned upload on an open node. */
  user_wallet?: string;
  /** Node whose step ran (or runs) the transcode. */
  transcode_worker_id?: string;
  /** Deliveries of the transcode step so far. */
  attempts: number;
  /**
   * True while `transcode_worker_id` runs an attempt (set by its claim, cleared when the
   * attempt ends): a redelivery waits for a live worker instead of claiming the job again.
   */
  transcode_running?: boolean;
  /** Written every few seconds while the attempt runs (./live-worker.ts): the claim is alive. */
  transcode_heartbeat_at?: string;
  /** `transcoding`, then `storing` once results are in the temp store. */
  stage?: 'transcoding' | 'storing';
  results: JobResult[];
  options: { preview_start_seconds?: number };
}
