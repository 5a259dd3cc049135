import { placementGaps } from '../repair/cluster';

/** A job as the chaos suite last read it (GET /storage/jobs/:id). */
export interface SeenJob {
  id: string;
  acknowledgedAt: number;
  status?: string;
  error?: string;
  finishedAt?: number;
  /** Name → sha256 of its results. */
  results?: Map<string, string>;
  /** The last answer was 404: the node knows no such job. */
  missing?: boolean;
  /** The record as last read, to say where a job that did not end stands. */
  last?: { stage?: string; attempts?: number; transcode_worker_id?: string; results: { nodes: string[] }[] };
}

/**
 * Polls every job until each is `done` or `error` or `boundMs` passes, spreading the polls
 * over the live nodes. Answers 503 (NATS restarting) are retried; every status seen is counted
 * in `answers`, so a 500 on a poll shows in the figures.
 */
export async function waitForJobsToEnd(
  jobs: SeenJob[],
  urls: () => string[],
  boundMs: number,
  answers: Map<number, number>,
): Promise<void> {
  const deadline = Date.now() + boundMs;
  let turn = 0;
  for (;;) {
    const open = jobs.filter((j) => !ended(j));
    if (open.length === 0 || Date.now() > deadline) return;
    for (let i = 0; i < open.length; i += 8) {
      await Promise.all(open.slice(i, i + 8).map((j) => readJob(j, urls(), turn++, answers)));
    }
    if (jobs.some((j) => !ended(j))) await new Promise((r) => setTimeout(r, 500));
  }
}

export const ended = (j: SeenJob) => j.status === 'done' || j.status === 'error';

async function readJob(
  job: SeenJob,
  urls: string[],
  turn: number,
  answers: Map<number, number>,
): Promise<void> {
  const url = urls[turn % urls.length];
  let res: Response;
  try {
    res = await fetch(`${url}/storage/jobs/${job.id}`, { signal: AbortSignal.timeout(15_000) });
  } catch {
    return; // a node going down mid-poll: the next round asks another
  }
  answers.set(res.status, (answers.get(res.status) ?? 0) + 1);
  if (res.status === 404) job.missing = true;
  if (res.status !== 200) return void (await res.body?.cancel());
  const body = (await res.json()) as Omit<NonNullable<SeenJob['last']>, 'results'> & {
    status: string;
    error?: string;
    finished_at?: string;
    results: { name: string; sha256: string; nodes: string[] }[];
  };
  Object.assign(job, {
    missing: false,
    last: body,
    status: body.status,
    error: body.error,
    finishedAt: body.finished_at ? Date.parse(body.finished_at) : undefined,
    results: new Map(body.results.map((r) => [r.name, r.sha256])),
  });
}

/**
 * Waits until every result of every done job is on each of its current owners (the ring of
 * `live`), with the job's sha256, read and hashed from the owners' blob dirs. Resolves with
 * the time it took, or null and the gaps left when `boundMs` passed.
 */
export async function waitForPlacement(
  jobs: SeenJob[],
  live: { id: string; blobs: string }[],
  replicationFactor: number,
  boundMs: number,
): Promise<{ ms: number | null; missing: string[] }> {
  const files = new Map<string, string>();
  for (const j of jobs) if (j.status === 'done') j.results?.forEach((sha, name) => files.set(name, sha));
  const started = Date.now();
  for (;;) {
    const { missing } = placementGaps(files, live, replicationFactor);
    if (missing.length === 0) return { ms: Date.now() - started, missing };
    if (Date.now() - started > boundMs) return { ms: null, missing };
    await new Promise((r) => setTimeout(r, 1000));
  }
}
