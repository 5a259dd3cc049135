import type { IncomingHttpHeaders } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import busboy from 'busboy';
import { describeError, isStorageError, StorageError } from '../errors';
import { SUBJECTS } from '../nats/names';
import { retryNats } from '../nats/retry';
import { deleteTempObject, putTempObject } from '../nats/temp-objects';
import { pickTempBucket } from '../nats/temp-space';
import type { JobDeps } from './deps';
import { mismatchReason, sniffType, SNIFF_BYTES, type Sniffed } from '../transcode/sniff';
import { isTemplateName, type TemplateName } from '../transcode/templates';
import { newId } from './ids';
import { JOB_STATUS, type Job, type Template } from './types';

/** One `files` part, already in the temp store. */
interface StoredPart {
  id: string;
  fileName: string;
  bucket: string;
  info: Job['source_info'];
  sha256: string;
  sniffed: Sniffed;
}

const MAX_PARTS = 50;
/** Part headers and fields around each file, generously. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

/**
 * POST /storage/file (DESIGN §4.1): streams each `files` part into a temp object store as it
 * arrives, then — once the whole form is read, since `template` may come after the files —
 * checks every part against the template. Any bad part deletes every stored part and no job
 * is created; otherwise each part becomes a pending job, published to JOBS.
 */
export async function receiveUpload(
  s: JobDeps,
  headers: IncomingHttpHeaders,
  body: Readable,
  /** The wallet that signed the upload (shared/access/upload-signature.ts). */
  userWallet?: string,
): Promise<Job[]> {
  if (!String(headers['content-type'] ?? '').startsWith('multipart/form-data')) {
    throw new StorageError(
      'NOT_MULTIPART',
      'Send a multipart/form-data body with `files` parts and a `template` field',
    );
  }
  // A body longer than the largest form this node takes is refused unread (not waited for).
  const declared = Number(headers['content-length']);
  if (declared > MAX_PARTS * (s.config.maxUploadBytes + FORM_OVERHEAD_BYTES))
    throw new StorageError(
      'PAYLOAD_TOO_LARGE',
      `A request of ${declared} bytes is larger than this node takes`,
    );
  // No room: refuse before reading a byte of the body (507 TEMP_STORE_FULL).
  await pickTempBucket(s.nats, s.config.tempBuckets);
  const { fields, parts, error } = await readForm(s, headers, body);
  // Every part settles (a broken form fails the ones in flight), so each stored one is known.
  const stored = await Promise.allSettled(parts);
  const ok = stored.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const jobs: Job[] = [];
  try {
    if (error) throw error;
    const failed = stored.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    if (ok.length === 0)
      throw new StorageError('MISSING_FILES', 'The form has no `files` part with a file in it');
    const template = requireTemplate(fields.template);
    for (const part of ok) assertMatches(template, part);
    const previewStart = parsePreviewStart(fields.preview_start_seconds);
    for (const part of ok) {
      jobs.push(await createJob(s, template, part, previewStart, userWallet));
    }
    return jobs;
  } catch (err) {
    // The client gets an error, so nothing of this request goes on: jobs already created are
    // ended (a step that picks one up finds it settled) and every stored part is removed.
    await Promise.all(jobs.map((job) => abandon(s, job.id, err)));
    await Promise.all(ok.map((p) => deleteTempObject(s.nats, p.bucket, p.id)));
    throw err;
  }
}

/** One file to ingest from anywhere (a tus upload on disk, an object in a bucket …). */
export interface IngestRequest {
  template: Template;
  /** The uploader's name of the file (`source_info.description`). */
  fileName: string;
  body: Readable;
  /** The job id to use (a tus upload's id); a new one when absent. */
  id?: string;
  previewStart?: number;
  userWallet?: string;
  /** What the client declared the file to be (a presigned slot): checked before the job exists. */
  expected?: { size: number; sha256: string };
}

/**
 * The single-file form of POST /storage/file, for intake paths that are not a multipart form
 * (tus completion, presigned uploads): the same temp store, sniffing, template check, job and
 * errors. On any failure nothing of the file is left in the temp store and no job exists.
 */
export async function ingestStream(s: JobDeps, request: IngestRequest): Promise<Job> {
  try {
    requireTemplate(request.template);
  } catch (err) {
    request.body.destroy();
    throw err;
  }
  const part = await storePart(s, request.body, request.fileName, request.id).catch((err: unknown) => {
    request.body.destroy(); // a source the temp store stopped reading is not left open
    throw err;
  });
  try {
    if (request.expected) assertExpected(part, request.expected);
    assertMatches(request.template, part);
    return await createJob(s, request.template, part, request.previewStart, request.userWallet);
  } catch (err) {
    await deleteTempObject(s.nats, part.bucket, part.id);
    throw err;
  }
}

async function abandon(s: JobDeps, id: string, err: unknown): Promise<void> {
  const reason = `the upload request failed before it was accepted: ${describeError(err)}`;
  await s.jobs
    .update(id, (j) => ({
      ...j,
      status: JOB_STATUS.error,
      error: reason,
      finished_at: new Date().toISOString(),
    }))
    .catch(() => undefined);
}

interface Form {
  fields: Record<string, string>;
  parts: Promise<StoredPart>[];
  /** Why the form as a whole failed (malformed, interrupted, too many parts). */
  error?: StorageError;
}

/** Reads the whole form; parts start streaming into the temp store as they arrive. */
function readForm(s: JobDeps, headers: IncomingHttpHeaders, body: Readable): Promise<Form> {
  let form: busboy.Busboy;
  try {
    form = busboy({
      headers,
      limits: { fileSize: s.config.maxUploadBytes, files: MAX_PARTS, fields: 20, fieldSize: 4096 },
    });
  } catch (cause) {
    throw new StorageError('NOT_MULTIPART', 'The multipart body has no boundary', { cause });
  }
  return new Promise((resolve) => {
    const result: Form = { fields: {}, parts: [] };
    const open = new Set<Readable>();
    const fail = (error: StorageError) => {
      if (result.error) return;
      result.error = error;
      // Parts still streaming would wait forever for the rest of the body: end them now.
      open.forEach((stream) => stream.destroy(error));
      body.unpipe(form);
      resolve(result);
    };
    form.on('field', (name, value) => (result.fields[name] = value));
    form.on('file', (name, stream, info) => {
      if (name !== 'files') return void stream.resume();
      open.add(stream);
      stream.once('close', () => open.delete(stream));
      const part = storePart(s, stream, info.filename ?? 'upload');
      part.catch(() => stream.resume()); // keep the form moving so the error can be answered
      result.parts.push(part);
    });
    form.on('filesLimit', () =>
      fail(new StorageError('VALIDATION_FAILED', `At most ${MAX_PARTS} files per request`)),
    );
    form.on('error', (cause) =>
      fail(new StorageError('NOT_MULTIPART', `Malformed multipart body: ${String(cause)}`, { cause })),
    );
    body.on('error', (cause) => fail(bodyError(cause)));
    form.on('close', () => resolve(result));
    // A body that failed before we got here (the client hung up while we looked for room)
    // emits nothing more: piping it would wait for ever.
    if (body.errored) return fail(bodyError(body.errored));
    body.pipe(form);
  });
}

/** Why the request body failed: ours as it is (e.g. UPLOAD_TOO_SLOW), a hang-up as an interruption. */
function bodyError(cause: unknown): StorageError {
  return isStorageError(cause)
    ? cause
    : new StorageError('VALIDATION_FAILED', 'The upload was interrupted', { cause });
}

/** Streams one part into a temp store, keeping its first bytes for sniffing. */
async function storePart(s: JobDeps, stream: Readable, fileName: string, id = newId()): Promise<StoredPart> {
  let received = 0;
  let head = Buffer.alloc(0);
  const sniffing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      // Busboy cuts a part at the limit itself ('limit' below); other streams are counted here.
      received += chunk.length;
      if (received > s.config.maxUploadBytes) return done(tooLarge(fileName, s.config.maxUploadBytes));
      if (head.length < SNIFF_BYTES)
        head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
      done(null, chunk);
    },
  });
  stream.on('limit', () => sniffing.destroy(tooLarge(fileName, s.config.maxUploadBytes)));
  stream.on('error', (err) => sniffing.destroy(err));
  // The form can fail (cut off, no closing boundary) while we wait for a bucket, before the
  // store reads `sniffing`: an 'error' with no listener would crash the process. The store's
  // reader still sees the error (a destroyed stream rejects its iteration).
  sniffing.on('error', () => undefined);
  const body = stream.pipe(sniffing);
  let bucket = '';
  let put;
  try {
    bucket = await pickTempBucket(s.nats, s.config.tempBuckets);
    put = await putTempObject(s.nats, bucket, { name: id, description: fileName }, body);
  } catch (err) {
    // The form must go on to its end (readForm drains the part), so nothing waits on us.
    stream.unpipe(sniffing);
    sniffing.destroy();
    if (bucket) await deleteTempObject(s.nats, bucket, id);
    // The part's own failure (too large, cut off) says more than the store's; but a stream
    // the put stopped reading is only destroyed, and the store's error is the reason then.
    throw isStorageError(sniffing.errored) ? sniffing.errored : (err ?? sniffing.errored);
  }
  if (put.info.size === 0) {
    await deleteTempObject(s.nats, bucket, id);
    throw new StorageError('EMPTY_FILE', `"${fileName}" is empty`);
  }
  const { name, description, options, nuid, size, mtime, chunks, digest } = put.info;
  return {
    id,
    fileName,
    bucket,
    sha256: put.sha256,
    sniffed: sniffType(head),
    info: {
      name,
      description: description ?? fileName,
      options: { max_chunk_size: options?.max_chunk_size ?? 0 },
      bucket,
      nuid,
      size,
      mtime,
      chunks,
      digest,
    },
  };
}

/** The one template check of every intake (form, tus, presigned slot): 400 BAD_TEMPLATE. */
export function requireTemplate(value: string | undefined, field = 'template'): TemplateName {
  if (value !== undefined && isTemplateName(value)) return value;
  throw new StorageError(
    'BAD_TEMPLATE',
    `${field} must be audio, img_square or img_backdrop (got ${JSON.stringify(value ?? null)})`,
  );
}

export function tooLarge(fileName: string, max: number): StorageError {
  return new StorageError('PAYLOAD_TOO_LARGE', `"${fileName}" is larger than ${max} bytes`);
}

/** The sha256 the temp store computed on the way in, against the one the client declared. */
function assertExpected(part: StoredPart, expected: { size: number; sha256: string }): void {
  if (part.info.size !== expected.size)
    throw new StorageError(
      'UPLOAD_SIZE_MISMATCH',
      `"${part.fileName}" was declared as ${expected.size} bytes and has ${part.info.size}`,
    );
  if (part.sha256 !== expected.sha256)
    throw new StorageError(
      'UPLOAD_SHA256_MISMATCH',
      `"${part.fileName}" was declared with sha256 ${expected.sha256} and has ${part.sha256}`,
    );
}

function assertMatches(template: Template, part: StoredPart): void {
  const reason = mismatchReason(template, part.sniffed);
  if (reason) throw new StorageError('WRONG_FILE_TYPE', `"${part.fileName}": ${reason}`);
}

/** `preview_start_seconds` (or the SDK's `previewStartSeconds`): absent, or a number >= 0. */
export function parsePreviewStart(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new StorageError('VALIDATION_FAILED', 'preview_start_seconds must be a number >= 0');
  return n;
}

async function createJob(
  s: JobDeps,
  template: Template,
  part: StoredPart,
  previewStart?: number,
  userWallet?: string,
): Promise<Job> {
  const job: Job = {
    id: part.id,
    template,
    status: JOB_STATUS.pending,
    created_at: new Date().toISOString(),
    transcode_progress: 0,
    source_info: part.info,
    source_sha256: part.sha256,
    upload_node: s.identity.address,
    ...(userWallet ? { user_wallet: userWallet } : {}),
    attempts: 0,
    results: [],
    options: previewStart === undefined ? {} : { preview_start_seconds: previewStart },
  };
  await s.jobs.create(job);
  // The message id makes a retried publish (its first ack lost) a no-op.
  await retryNats(s.nats.retry, `publish job ${job.id}`, () =>
    s.nats.js.publish(SUBJECTS.job(template), JSON.stringify({ id: job.id }), { msgID: job.id }),
  );
  return job;
}
