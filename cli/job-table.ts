import type { Job } from '../shared/jobs/types';
import { ago, formatBytes, type Output } from './output';

/** One job as a table row; only the fields every caller may see (id, status, template, progress, times, results). */
export function jobRow(job: Job, out: Output): string[] {
  return [
    job.id,
    statusText(job, out),
    job.template,
    job.status === 'in_progress' ? `${Math.floor((job.transcode_progress ?? 0) * 100)}%` : '',
    ago(job.created_at),
    job.source_info?.description ?? '',
    job.results?.length
      ? `${job.results.length} (${formatBytes(job.results.reduce((n, r) => n + r.size, 0))})`
      : '',
  ];
}

export const JOB_HEAD = ['id', 'status', 'template', 'progress', 'created', 'file', 'results'];

export function statusText(job: Pick<Job, 'status'>, out: Output): string {
  const c = out.color;
  switch (job.status) {
    case 'done':
      return c.green(job.status);
    case 'error':
      return c.red(job.status);
    case 'in_progress':
      return c.cyan(job.status);
    default:
      return c.yellow(job.status);
  }
}
