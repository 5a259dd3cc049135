import { cidOfSha256 } from '../cid/cid';
import { JOB_STATUS, type Job, type JobStatus } from '../jobs/types';
import { ORIGINAL_VARIANT } from '../jobs/original';
import { mediorumKey, previewStart } from './variants';

/** Our job states in mediorum's vocabulary (reference/mediorum.md §2). */
const STATUS: Record<JobStatus, string> = {
  [JOB_STATUS.pending]: 'new',
  [JOB_STATUS.inProgress]: 'busy',
  [JOB_STATUS.done]: 'done',
  [JOB_STATUS.error]: 'error',
};

/** Node id → public URL, for `mirrors` (null for a node that is not a member any more). */
export type HostOf = (nodeId: string) => string | undefined;

/**
 * A job as mediorum's `Upload` row (the JSON its `GET /uploads/:id` answers and the Audius
 * SDK reads): `status`, `results` (variant → CID), `orig_file_cid`, `orig_filename`,
 * `probe.format.duration`, `transcode_progress`, `error` and the timestamps. `done` here means
 * what it means in our pipeline — every result on every owner — so a client never gets
 * `done` with results missing (mediorum #14585).
 */
export function toMediorumUpload(job: Job, hostOf: HostOf) {
  const results: Record<string, string> = {};
  for (const r of job.results) {
    const key = mediorumKey(job, r);
    if (key) results[key] = cidOfSha256(r.sha256);
  }
  const original = job.results.find((r) => r.variant === ORIGINAL_VARIANT) ?? job.results[0];
  const hosts = (nodes: string[]) => nodes.map(hostOf).filter((h): h is string => !!h);
  const finished = job.status === JOB_STATUS.done || job.status === JOB_STATUS.error;
  return {
    id: job.id,
    user_wallet: job.user_wallet ?? null,
    template: job.template,
    orig_filename: job.source_info.description,
    orig_file_cid: cidOfSha256(job.source_sha256),
    selected_preview:
      job.template === 'audio' && job.options.preview_start_seconds !== undefined
        ? `320_preview|${previewStart(job)}`
        : null,
    probe: probeOf(job),
    ...(job.status === JOB_STATUS.error ? { error: job.error ?? 'the upload failed' } : {}),
    error_count: job.status === JOB_STATUS.error ? Math.max(1, job.attempts) : 0,
    mirrors: hosts(original?.nodes ?? []),
    transcoded_mirrors: hosts(job.results.find((r) => r.variant !== ORIGINAL_VARIANT)?.nodes ?? []),
    status: STATUS[job.status],
    placement_hosts: null,
    created_by: hostOf(job.upload_node) ?? job.upload_node,
    created_at: job.created_at,
    updated_at: job.finished_at ?? job.started_at ?? job.created_at,
    transcoded_by: job.transcode_worker_id
      ? (hostOf(job.transcode_worker_id) ?? job.transcode_worker_id)
      : '',
    transcode_progress: job.status === JOB_STATUS.done ? 1 : job.transcode_progress,
    transcoded_at: finished ? (job.finished_at ?? '') : '',
    results,
    audio_analysis_status: '',
    audio_analysis_error_count: 0,
    audio_analysis_results: null,
  };
}

export type MediorumUpload = ReturnType<typeof toMediorumUpload>;

/** ffprobe's `format` as mediorum keeps it; numbers as strings, as ffprobe prints them. */
function probeOf(job: Job) {
  const p = job.probe as
    | { format?: string; formatLongName?: string; duration?: number | null; bitRate?: number | null }
    | undefined;
  if (!p) return null;
  return {
    format: {
      filename: job.source_info.description,
      format_name: p.format ?? '',
      format_long_name: p.formatLongName ?? '',
      ...(typeof p.duration === 'number' ? { duration: String(p.duration) } : {}),
      size: String(job.source_info.size),
      ...(typeof p.bitRate === 'number' ? { bit_rate: String(p.bitRate) } : {}),
    },
  };
}
