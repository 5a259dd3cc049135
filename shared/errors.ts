/**
 * The one catalogue of errors the system raises on purpose (STYLE §4). Each code is stable:
 * clients and tests match on `code`, never on the wording of `message`.
 */
export const ERRORS = {
  VALIDATION_FAILED: { status: 400, message: 'The request is not valid' },
  NOT_MULTIPART: { status: 400, message: 'Expected a multipart/form-data body' },
  MISSING_FILES: { status: 400, message: 'The form has no `files` part' },
  BAD_TEMPLATE: { status: 400, message: 'Unknown template' },
  EMPTY_FILE: { status: 400, message: 'The file is empty' },
  WRONG_FILE_TYPE: { status: 400, message: 'The file does not match the template' },
  BAD_FILE_NAME: { status: 400, message: 'Malformed file name' },
  BAD_SHARD: { status: 400, message: 'Malformed shard' },
  BAD_ID: { status: 400, message: 'Malformed id' },
  BAD_BUCKET: { status: 400, message: 'Not a temp bucket' },
  NODE_SIGNATURE_MISSING: { status: 401, message: 'This route takes node-signed requests only' },
  NODE_SIGNATURE_MALFORMED: { status: 401, message: 'The node signature is malformed' },
  NODE_SIGNATURE_EXPIRED: { status: 401, message: 'The node signature is outside its validity window' },
  NODE_SIGNATURE_INVALID: { status: 401, message: 'The node signature does not match its signer' },
  NODE_SIGNATURE_WRONG_RECIPIENT: { status: 401, message: 'The node signature names another node' },
  NOT_A_MEMBER: { status: 403, message: 'The signer is not a healthy member of this cluster' },
  // Access control (issue 11): signed stream URLs, signed uploads, takedowns. One code per
  // check, so a client (and a test) knows which one failed; messages never show key material.
  SIGNATURE_REQUIRED: { status: 401, message: 'This file needs a signed stream URL (?signature=)' },
  SIGNATURE_EMPTY: { status: 400, message: 'The signature is empty' },
  SIGNATURE_REPEATED: { status: 400, message: 'The signature is given more than once' },
  SIGNATURE_TOO_LARGE: { status: 400, message: 'The signature is larger than 8 KB' },
  SIGNATURE_NOT_JSON: { status: 400, message: 'The signature is not JSON' },
  SIGNATURE_BAD_ENVELOPE: { status: 400, message: 'The signature is not {"data": …, "signature": "0x…"}' },
  SIGNATURE_DATA_NOT_STRING: { status: 400, message: 'The signature data must be a JSON string' },
  SIGNATURE_DATA_NOT_JSON: { status: 400, message: 'The signature data is not JSON' },
  SIGNATURE_DATA_NOT_OBJECT: { status: 400, message: 'The signature data must be a JSON object' },
  SIGNATURE_BAD_TIMESTAMP: { status: 400, message: 'The signature data needs a timestamp in ms' },
  SIGNATURE_MISSING_NAME: { status: 400, message: 'The signature data names no file (fileName or cid)' },
  SIGNATURE_BAD_HEX: { status: 400, message: 'The signature is not hex' },
  SIGNATURE_BAD_LENGTH: { status: 400, message: 'The signature is not 65 bytes' },
  SIGNATURE_BAD_RECOVERY: { status: 400, message: 'The signature v is not 27/28 or 0/1' },
  SIGNATURE_HIGH_S: { status: 400, message: 'The signature has a high s value (EIP-2)' },
  SIGNATURE_NOT_ON_CURVE: { status: 400, message: 'The signature recovers no key' },
  SIGNATURE_EXPIRED: { status: 401, message: 'The signature is older than its validity window' },
  SIGNATURE_FROM_FUTURE: { status: 401, message: 'The signature timestamp is in the future' },
  SIGNATURE_SIGNER_NOT_ALLOWED: { status: 403, message: 'The signature is not from an allowed signer' },
  SIGNATURE_NAME_MISMATCH: { status: 403, message: 'The signature is for another file' },
  SIGNATURE_UPLOAD_ID_MISMATCH: { status: 403, message: 'The signature is for another upload' },
  UPLOAD_SIGNATURE_REQUIRED: { status: 401, message: 'Uploads to this node need a signature (?signature=)' },
  UPLOAD_WALLET_NOT_ALLOWED: { status: 403, message: 'This wallet may not upload to this node' },
  UPLOAD_SIGNATURE_WRONG_KIND: {
    status: 400,
    message: 'The signature is not an upload signature (its data must be {"timestamp": …} only)',
  },
  DELIST_BAD_REQUEST: {
    status: 400,
    message: 'A delist request names one file name or job id and an action',
  },
  DELIST_REPLAYED: {
    status: 409,
    message: 'A delist request at least as new has already been applied to this name',
  },
  DELISTED: { status: 403, message: 'This content has been taken down' },
  // The Audius client API (issue 16): tus uploads, CIDs, mediorum's routes.
  TUS_BAD_REQUEST: { status: 400, message: 'The tus request is not valid' },
  TUS_OFFSET_CONFLICT: { status: 409, message: 'Upload-Offset does not match what this node has' },
  UPLOAD_NOT_FOUND: { status: 404, message: 'No such upload on this node' },
  BAD_CID: { status: 400, message: 'Not a content id (CIDv1, sha2-256, as mediorum makes them)' },
  CID_NOT_FOUND: { status: 404, message: 'No stored file has this content id' },
  BAD_VARIANT: { status: 400, message: 'This upload has no such variant' },
  BAD_PLACEMENT_HOSTS: {
    status: 400,
    message: 'placementHosts must name current members, the receiving node among them',
  },
  AUDIO_NEEDS_CIDSTREAM: {
    status: 401,
    message: 'Audio is streamed from /tracks/cidstream/<cid> with a signature',
  },
  DRAIN_BAD_REQUEST: {
    status: 400,
    message: 'A drain request has "type": "storage-drain", the node it is for and an action',
  },
  DRAIN_WRONG_NODE: { status: 400, message: 'This drain request is for another node' },
  DRAIN_REPLAYED: {
    status: 409,
    message: 'A drain request at least as new has already been applied to this node',
  },
  // Requests Node's HTTP parser refuses before any route sees them (shared/runtime/client-errors.ts).
  MALFORMED_REQUEST: { status: 400, message: 'The request is not valid HTTP' },
  HEADERS_TOO_LARGE: { status: 431, message: 'The request line and headers are too large' },
  REQUEST_TIMEOUT: { status: 408, message: 'The request headers arrived too slowly' },
  // Presigned uploads (issue 13, shared/presigned-upload/): one code per refusal of a slot.
  PRESIGNED_UPLOADS_NEED_S3: {
    status: 501,
    message: 'Presigned upload slots need an s3:// long-term store; send the file to POST /storage/file',
  },
  UPLOAD_SLOT_NOT_FOUND: { status: 404, message: 'No such upload slot (or its token is wrong)' },
  UPLOAD_SLOT_EXPIRED: { status: 410, message: 'The upload slot has expired; ask for a new one' },
  UPLOAD_SLOT_USED: { status: 409, message: 'The upload slot has already been completed or refused' },
  UPLOAD_SLOT_EMPTY: { status: 409, message: 'Nothing has been uploaded to the slot yet' },
  UPLOAD_SLOT_BAD_PARTS: { status: 400, message: 'The parts do not match the slot' },
  UPLOAD_SIZE_MISMATCH: {
    status: 422,
    message: 'The uploaded object is not the size the slot was opened for',
  },
  UPLOAD_SHA256_MISMATCH: {
    status: 422,
    message: 'The uploaded object does not have the sha256 the slot was opened for',
  },
  NOT_FOUND: { status: 404, message: 'Not found' },
  ROUTE_NOT_FOUND: { status: 404, message: 'No such route' },
  JOB_NOT_FOUND: { status: 404, message: 'No such job' },
  FILE_NOT_FOUND: { status: 404, message: 'No such file' },
  UPLOAD_TOO_SLOW: { status: 408, message: 'The upload body arrived too slowly and was cut off' },
  TOO_MANY_UPLOADS: {
    status: 429,
    message: 'This client has too many uploads in flight or started too many this minute',
    retryAfter: 10,
  },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The upload is larger than this node accepts' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported content type' },
  RANGE_NOT_SATISFIABLE: { status: 416, message: 'The range is outside the file' },
  DIGEST_MISMATCH: { status: 422, message: 'The content does not match its expected sha256 or size' },
  TRANSCODE_FAILED: { status: 422, message: 'The file could not be transcoded' },
  // Capacity and availability (issue 15): the request was fine and may be sent again; the
  // error handler adds `Retry-After: retryAfter` (seconds). Never a bare 500 for these.
  NOT_READY: { status: 503, message: 'The node is not ready', retryAfter: 5 },
  TOO_MANY_EVENT_STREAMS: {
    status: 503,
    message: 'Too many event streams are open on this node',
    retryAfter: 30,
  },
  NATS_UNAVAILABLE: {
    status: 503,
    message: 'The message system (NATS JetStream) did not answer in time; try again shortly',
    retryAfter: 5,
  },
  TEMP_STORE_FULL: {
    status: 507,
    message: 'The temporary upload store is full; try again later',
    retryAfter: 60,
  },
  JETSTREAM_FULL: { status: 507, message: 'A JetStream stream or bucket is full', retryAfter: 60 },
  UPLOADS_BUSY: {
    status: 503,
    message: 'This node is receiving as many upload bytes as it takes at once; try again shortly',
    retryAfter: 5,
  },
  DISK_FULL: { status: 507, message: 'The long-term store has no space left', retryAfter: 60 },
  STORAGE_UNAVAILABLE: { status: 503, message: 'The blob store is unavailable', retryAfter: 5 },
  UNSUPPORTED_OPERATION: { status: 501, message: 'The storage driver does not support this operation' },
  BAD_CONFIG: { status: 500, message: 'Invalid configuration' },
  INTERNAL: { status: 500, message: 'Internal error' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

/** Seconds a client should wait before sending the request again, for codes that say so. */
export function retryAfterSeconds(code: string): number | undefined {
  const entry = (ERRORS as Record<string, { retryAfter?: number }>)[code];
  return entry?.retryAfter;
}

/** An error with a stable code and an HTTP status; the edge turns it into JSON. */
export class StorageError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  /** A permanent error will fail the same way again: consumers do not retry it. */
  readonly permanent: boolean;
  /**
   * A retryable failure that knows a retry is pointless sooner: the consumer shim waits at
   * least this long before the next delivery (a storer waiting on other nodes, for one).
   */
  readonly retryInSeconds?: number;

  constructor(
    code: ErrorCode,
    message?: string,
    options?: { cause?: unknown; permanent?: boolean; retryInSeconds?: number },
  ) {
    super(message ?? ERRORS[code].message, { cause: options?.cause });
    this.name = 'StorageError';
    this.code = code;
    this.statusCode = ERRORS[code].status;
    this.permanent = options?.permanent ?? this.statusCode < 500;
    if (options?.retryInSeconds !== undefined) this.retryInSeconds = options.retryInSeconds;
  }
}

export function fail(code: ErrorCode, message?: string, cause?: unknown): never {
  throw new StorageError(code, message, { cause });
}

export function isStorageError(err: unknown): err is StorageError {
  return err instanceof StorageError;
}

/** A readable one-line reason for logs and job records. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
