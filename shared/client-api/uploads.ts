import { StorageError } from '../errors';
import { JOB_STATUS } from '../jobs/types';
import type { Services } from '../runtime/services';
import { toMediorumUpload, type HostOf, type MediorumUpload } from './upload-record';

/** mediorum answers at most this many uploads per `GET /uploads?after=` page. */
export const UPLOADS_PAGE = 2000;

function hostOf(s: Services): HostOf {
  return (nodeId) => s.membership.get(nodeId)?.host;
}

/**
 * One upload in mediorum's shape, with mediorum's status code: 422 when it failed (the
 * record still says why), 200 otherwise. Any node answers for any upload: the job records
 * are shared.
 */
export async function uploadDetail(
  s: Services,
  id: string,
): Promise<{ status: number; body: MediorumUpload }> {
  const job = await s.jobs.get(id);
  if (!job) throw new StorageError('JOB_NOT_FOUND', `No upload ${id}`);
  return { status: job.status === JOB_STATUS.error ? 422 : 200, body: toMediorumUpload(job, hostOf(s)) };
}

/** Time (ms) an id was made at: ids start with it (shared/jobs/ids.ts). */
function idTime(id: string): number {
  return parseInt(id.slice(1, 9), 36);
}

/**
 * `GET /uploads?after=<RFC 3339>`: uploads created after that time, oldest first, at most
 * UPLOADS_PAGE (mediorum peers page through each other this way). Ids sort by creation, so
 * only the records after the cursor are read.
 */
export async function uploadsAfter(s: Services, after: string | undefined): Promise<MediorumUpload[]> {
  const since = after === undefined || after === '' ? 0 : Date.parse(after);
  if (Number.isNaN(since))
    throw new StorageError(
      'VALIDATION_FAILED',
      `after must be an RFC 3339 time, got ${JSON.stringify(after)}`,
    );
  // An id is made a moment before its record's created_at: a second of slack, then the exact test.
  const ids = (await s.jobs.ids()).filter((id) => idTime(id) >= since - 1000).sort();
  const out: MediorumUpload[] = [];
  for (const id of ids) {
    if (out.length >= UPLOADS_PAGE) break;
    const job = await s.jobs.get(id);
    if (job && Date.parse(job.created_at) > since) out.push(toMediorumUpload(job, hostOf(s)));
  }
  return out;
}
