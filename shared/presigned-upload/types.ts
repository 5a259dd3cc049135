import type { Template } from '../jobs/types';

/**
 * Presigned upload slots (issue 13): API Gateway and Lambda cap request bodies at 6–10 MB
 * (DESIGN §9), so a node behind them hands out presigned S3 PUT URLs instead; the client sends
 * the bytes to S3 and then completes the slot, and the node ingests the object exactly as
 * POST /storage/file ingests a part (shared/jobs/upload.ts `ingestStream`).
 */

export const SLOT_STATE = {
  /** Waiting for the client's bytes and its completion. */
  open: 'open',
  /** One completion has claimed it (revision CAS): no second one can. */
  completing: 'completing',
  /** The job exists (`jobId`). */
  done: 'done',
  /** A completion was refused (`refusal`); the slot is spent. */
  refused: 'refused',
} as const;

export type SlotState = (typeof SLOT_STATE)[keyof typeof SLOT_STATE];

/** A slot as KV `upload_slots` holds it, under its id (which becomes the job id). */
export interface SlotRecord {
  id: string;
  template: Template;
  /** The uploader's name of the file (`source_info.description`). */
  fileName: string;
  /** Bytes the client declared; the object must be exactly this long. */
  size: number;
  /** Lower-case hex sha256 the client declared; the object must hash to it. */
  sha256: string;
  previewStart?: number;
  userWallet?: string;
  /** Key of the staged object in the long-term bucket (under the driver's reserved prefix). */
  key: string;
  /** Present when the object is uploaded in parts (S3 multipart). */
  multipart?: { uploadId: string; partSize: number; partCount: number; assembled: boolean };
  /** Hex sha256 of the slot's bearer token: the record alone cannot complete a slot. */
  tokenSha256: string;
  /** ms since epoch; the presigned URLs expire then too. */
  expiresAt: number;
  state: SlotState;
  jobId?: string;
  /** The error code a refused completion answered. */
  refusal?: string;
}

/** POST /storage/upload-slots body. */
export interface SlotRequest {
  template: string;
  file_name: string;
  size: number;
  sha256: string;
  preview_start_seconds?: number;
}

/** One presigned part of a multipart slot: PUT bytes [start, end) of the file to `url`. */
export interface SlotPart {
  part_number: number;
  url: string;
  start: number;
  end: number;
}

/** The answer to POST /storage/upload-slots. */
export interface SlotAnswer {
  id: string;
  /** Sent back with the completion; shown once, never stored. */
  token: string;
  expires_at: string;
  /** One PUT of the whole file (`url`), or one PUT per part (`parts`, then send their ETags). */
  upload: { method: 'PUT'; url: string } | { method: 'PUT'; part_size: number; parts: SlotPart[] };
  /** Where to POST `{token, parts?}` once the bytes are in S3. */
  complete_url: string;
}

/** POST /storage/upload-slots/:id/complete body. */
export interface CompleteRequest {
  token: string;
  /** For a multipart slot: every part's number and the ETag S3 answered its PUT with. */
  parts?: { part_number: number; etag: string }[];
}
