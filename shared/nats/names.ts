/**
 * Every NATS name the nodes agree on (DESIGN §1, §4). Changing one is a network-wide
 * migration, so they live in one table.
 */
export const STREAMS = {
  /** Work queue: one message per job to transcode, subject `jobs.<template>`. */
  JOBS: { name: 'JOBS', subjects: ['jobs.>'] },
  /** Finished jobs, kept for the temp-store lifetime so every node's storer can replay them. */
  RESULTS: { name: 'RESULTS', subjects: ['results.>'] },
} as const;

export const SUBJECTS = {
  job: (template: string) => `jobs.${template}`,
  result: (template: string) => `results.${template}`,
} as const;

export const BUCKETS = {
  jobs: 'jobs',
  /** Jobs not yet done or error, and the jobs of the listing window (shared/jobs/job-index.ts). */
  jobsOpen: 'jobs_open',
  jobsRecent: 'jobs_recent',
  nodes: 'nodes',
  /** Takedowns (issue 11): file names and job ids every node refuses to serve. */
  delist: 'delist',
  /** Content ids (issue 16, DESIGN §11): CID → result file name and job id. */
  cids: 'cids',
  /** Presigned upload slots (issue 13, shared/presigned-upload/): single-use, by slot id. */
  uploadSlots: 'upload_slots',
  temp: (k: number) => `temp_${k}`,
} as const;

/** `temp_<k>` with k written the one way BUCKETS.temp writes it (no leading zeros). */
export const TEMP_BUCKET_PATTERN = /^temp_(0|[1-9]\d{0,2})$/;
