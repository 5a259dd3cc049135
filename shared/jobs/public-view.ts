import type { Job } from './types';

/**
 * A job as a public caller sees it (issue 15): without the internals of the temp stores —
 * which bucket holds the upload and its results, under which object names and NATS ids — that
 * only nodes need (and that used to let anyone fetch unreleased originals). Id, status,
 * template, progress, timestamps, errors and the results' names, sizes and sha256 stay: the
 * dashboard, the CLI and the original README's clients read those.
 */
export type PublicJob = Omit<Job, 'source_info' | 'results'> & {
  source_info: Omit<Job['source_info'], 'bucket' | 'nuid'>;
  results: Omit<Job['results'][number], 'bucket' | 'temp_name'>[];
};

export function publicJob(job: Job): PublicJob {
  const source_info: Partial<Job['source_info']> = { ...job.source_info };
  delete source_info.bucket;
  delete source_info.nuid;
  const results = job.results.map((r) => {
    const result: Partial<Job['results'][number]> = { ...r };
    delete result.bucket;
    delete result.temp_name;
    return result as PublicJob['results'][number];
  });
  return { ...job, source_info: source_info as PublicJob['source_info'], results };
}
