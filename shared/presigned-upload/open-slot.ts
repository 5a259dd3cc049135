import { createHash, randomBytes } from 'node:crypto';
import { normaliseSha256 } from '../blob/digest';
import { StorageError } from '../errors';
import type { JobDeps } from '../jobs/deps';
import { newId } from '../jobs/ids';
import { parsePreviewStart, requireTemplate, tooLarge } from '../jobs/upload';
import { pickTempBucket } from '../nats/temp-space';
import { stagingFor } from './s3-staging';
import { slotStore } from './slot-store';
import { SLOT_STATE, type SlotAnswer, type SlotPart, type SlotRecord, type SlotRequest } from './types';

/** S3 allows 10,000 parts of at least 5 MiB; 16 MiB parts keep a 2 GiB file at 128 URLs. */
export const PART_SIZE = 16 * 1024 * 1024;
const MAX_PARTS = 10_000;

export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Opens a slot for one file: checks what POST /storage/file would refuse before a byte is
 * sent (template, empty, too large, no temp room), records the slot, and presigns one PUT,
 * or one PUT per part for a file larger than a part.
 */
export async function openSlot(s: JobDeps, request: SlotRequest, userWallet?: string): Promise<SlotAnswer> {
  const staging = stagingFor(s.config.storageUrl);
  const slot = describeSlot(s, request, userWallet);
  await pickTempBucket(s.nats, s.config.tempBuckets); // 507 TEMP_STORE_FULL now, not after the upload
  const token = randomBytes(32).toString('base64url');
  slot.tokenSha256 = tokenDigest(token);
  const expiresIn = s.config.uploadSlotSeconds;
  let upload: SlotAnswer['upload'];
  if (slot.size <= PART_SIZE) {
    upload = { method: 'PUT', url: await staging.presignPut(slot.key, expiresIn) };
  } else {
    const partSize = Math.max(PART_SIZE, Math.ceil(slot.size / MAX_PARTS));
    const partCount = Math.ceil(slot.size / partSize);
    const uploadId = await staging.startMultipart(slot.key);
    slot.multipart = { uploadId, partSize, partCount, assembled: false };
    const parts: SlotPart[] = [];
    for (let n = 1; n <= partCount; n++) {
      const start = (n - 1) * partSize;
      const url = await staging.presignPart(slot.key, uploadId, n, expiresIn);
      parts.push({ part_number: n, url, start, end: Math.min(start + partSize, slot.size) });
    }
    upload = { method: 'PUT', part_size: partSize, parts };
  }
  await (await slotStore(s.nats)).create(slot);
  return {
    id: slot.id,
    token,
    expires_at: new Date(slot.expiresAt).toISOString(),
    upload,
    complete_url: `/storage/upload-slots/${slot.id}/complete`,
  };
}

/** The slot record for a request, or the error POST /storage/file would answer for that file. */
function describeSlot(s: JobDeps, request: SlotRequest, userWallet?: string): SlotRecord {
  const template = requireTemplate(request.template);
  if (request.size === 0) throw new StorageError('EMPTY_FILE', `"${request.file_name}" is empty`);
  if (request.size > s.config.maxUploadBytes) throw tooLarge(request.file_name, s.config.maxUploadBytes);
  const previewStart =
    request.preview_start_seconds === undefined
      ? undefined
      : parsePreviewStart(String(request.preview_start_seconds));
  const id = newId();
  return {
    id,
    template,
    fileName: request.file_name,
    size: request.size,
    sha256: normaliseSha256(request.sha256)!,
    ...(previewStart === undefined ? {} : { previewStart }),
    ...(userWallet ? { userWallet } : {}),
    key: stagingFor(s.config.storageUrl).keyOf(id),
    tokenSha256: '',
    expiresAt: Date.now() + s.config.uploadSlotSeconds * 1000,
    state: SLOT_STATE.open,
  };
}
