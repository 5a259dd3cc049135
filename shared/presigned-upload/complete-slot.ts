import { timingSafeEqual } from 'node:crypto';
import { isStorageError, StorageError } from '../errors';
import type { JobDeps } from '../jobs/deps';
import type { Job } from '../jobs/types';
import { ingestStream } from '../jobs/upload';
import { tokenDigest } from './open-slot';
import { stagingFor, type S3Staging } from './s3-staging';
import { slotStore, type SlotStore, type StoredSlot } from './slot-store';
import { SLOT_STATE, type CompleteRequest, type SlotRecord } from './types';

/**
 * Completes a slot: claims it (single use, by revision), puts a multipart upload together,
 * checks the object's size, then ingests it through the one intake path (`ingestStream`:
 * temp store, sniffing, template check, job, JOBS) with the declared sha256 checked on the
 * way, so a mismatch fails before the job exists. A refusal spends the slot and removes the
 * staged bytes; a transient failure (NATS or S3 unavailable) hands the slot back to retry.
 */
export async function completeSlot(s: JobDeps, id: string, request: CompleteRequest): Promise<Job> {
  const staging = stagingFor(s.config.storageUrl);
  const slots = await slotStore(s.nats);
  const found = await slots.get(id);
  if (!found || !tokenMatches(found.slot, request.token))
    throw new StorageError('UPLOAD_SLOT_NOT_FOUND', `No upload slot ${id} with this token`);
  if (found.slot.state !== SLOT_STATE.open)
    throw new StorageError('UPLOAD_SLOT_USED', `Upload slot ${id} is ${found.slot.state}`);
  const claimed = { ...found.slot, state: SLOT_STATE.completing };
  const revision = await slots.swap(claimed, found.revision);
  if (revision === null) throw new StorageError('UPLOAD_SLOT_USED', `Upload slot ${id} is being completed`);
  const held: StoredSlot = { slot: claimed, revision };
  let job: Job;
  try {
    job = await ingestSlot(s, staging, held, request);
  } catch (err) {
    await settleFailure(slots, staging, held, err);
    throw err;
  }
  // The job exists: whatever the clean-up answers, the client must learn its id (a failure
  // here would make it upload again). A staged object left behind goes with the bucket's
  // lifecycle rule; a slot left `completing` expires with its record.
  await staging.remove(claimed.key).catch(() => undefined);
  await slots
    .swap({ ...held.slot, state: SLOT_STATE.done, jobId: job.id }, held.revision)
    .catch(() => undefined);
  return job;
}

async function ingestSlot(s: JobDeps, staging: S3Staging, held: StoredSlot, request: CompleteRequest) {
  const slot = held.slot;
  if (Date.now() > slot.expiresAt)
    throw new StorageError(
      'UPLOAD_SLOT_EXPIRED',
      `Upload slot ${slot.id} expired at ${new Date(slot.expiresAt).toISOString()}`,
    );
  if (slot.multipart && !slot.multipart.assembled) {
    await staging.assemble(slot.key, slot.multipart.uploadId, partList(slot, request));
    slot.multipart.assembled = true; // kept if the slot is handed back: S3 assembles only once
  }
  const size = await staging.size(slot.key);
  // Completed before the PUT landed: the slot goes back for a retry once it has.
  if (size === null)
    throw new StorageError('UPLOAD_SLOT_EMPTY', `Nothing was uploaded to slot ${slot.id}`, {
      permanent: false,
    });
  if (size !== slot.size)
    throw new StorageError(
      'UPLOAD_SIZE_MISMATCH',
      `The slot was opened for ${slot.size} bytes; the object has ${size}`,
    );
  // The temp store hashes what it takes in: ingestStream compares that with the declaration.
  return ingestStream(s, {
    id: slot.id,
    template: slot.template,
    fileName: slot.fileName,
    body: await staging.read(slot.key),
    previewStart: slot.previewStart,
    userWallet: slot.userWallet,
    expected: { size: slot.size, sha256: slot.sha256 },
  });
}

/** The client's part list, checked against the slot before S3 sees it. */
function partList(slot: SlotRecord, request: CompleteRequest): { PartNumber: number; ETag: string }[] {
  const parts = request.parts ?? [];
  const count = slot.multipart!.partCount;
  const complete = parts.length === count && parts.every((p, i) => p.part_number === i + 1 && p.etag);
  if (!complete)
    // Checked before S3 sees it, so the client can send a corrected list on the same slot.
    throw new StorageError('UPLOAD_SLOT_BAD_PARTS', `Send parts 1..${count} in order, each with its ETag`, {
      permanent: false,
    });
  return parts.map((p) => ({ PartNumber: p.part_number, ETag: p.etag }));
}

function tokenMatches(slot: SlotRecord, token: string): boolean {
  const a = Buffer.from(tokenDigest(token), 'hex');
  const b = Buffer.from(slot.tokenSha256, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A refusal (a permanent error we named) spends the slot and its bytes; anything else, ours
 * or not (a NATS or S3 hiccup we did not wrap), reopens it: deleting a client's uploaded
 * bytes takes a reason.
 */
async function settleFailure(slots: SlotStore, staging: S3Staging, held: StoredSlot, err: unknown) {
  const slot = held.slot;
  const retryable = !(isStorageError(err) && err.permanent);
  if (retryable) {
    await slots.swap({ ...slot, state: SLOT_STATE.open }, held.revision).catch(() => undefined);
    return;
  }
  if (slot.multipart && !slot.multipart.assembled)
    await staging.abortMultipart(slot.key, slot.multipart.uploadId);
  await staging.remove(slot.key);
  await slots
    .swap({ ...slot, state: SLOT_STATE.refused, refusal: err.code }, held.revision)
    .catch(() => undefined);
}
