import type { Command } from 'commander';
import { JOB_STATUS, type Job } from '../../shared/jobs/types';
import type { NodeClient } from '../client';
import { contextOf, withCommonOptions } from '../context';
import { usageError } from '../exit-codes';
import { openJobEvents } from '../job-events';
import { JOB_HEAD, jobRow } from '../job-table';
import type { Output } from '../output';
import { positiveInt } from './upload';

interface JobsOptions {
  status?: string;
  limit: string;
  watch?: boolean;
}

/** Live table refreshes at most this often, however many events arrive. */
const REDRAW_MS = 250;
const POLL_MS = 2000;

export function registerJobs(program: Command): void {
  withCommonOptions(
    program
      .command('jobs')
      .description('list jobs, newest first; --watch keeps a live table (event stream, else polling)')
      .option('-s, --status <status>', `only jobs in one state: ${Object.values(JOB_STATUS).join(', ')}`)
      .option('-l, --limit <n>', 'how many (at most 500)', '20')
      .option('-w, --watch', 'keep watching: a live table, or JSON lines with --json')
      .addHelpText(
        'after',
        `
Examples:
  storage jobs --status error
  storage jobs --watch
  storage jobs --watch --json | jq -c '{id, status, transcode_progress}'`,
      ),
  ).action(async (options: JobsOptions, command: Command) => {
    const { client, out } = contextOf(command);
    const status = options.status;
    if (status !== undefined && !(Object.values(JOB_STATUS) as string[]).includes(status)) {
      throw usageError(`--status must be one of ${Object.values(JOB_STATUS).join(', ')} (got ${status})`);
    }
    const limit = positiveInt(options.limit, '--limit');
    if (limit > 500) throw usageError('--limit is at most 500');
    const list = () =>
      client.json<Job[]>(
        `/jobs?${new URLSearchParams({ limit: String(limit), ...(status ? { status } : {}) })}`,
      );
    const jobs = await list();
    if (!options.watch) {
      if (out.json) out.data(jobs);
      else
        out.table(
          JOB_HEAD,
          jobs.map((j) => jobRow(j, out)),
        );
      return;
    }
    await watchJobs(client, out, jobs, { status, limit, list });
  });
}

/**
 * Ctrl-C ends a watch (exit 0). Every change of a listed (or new) job is shown: a redrawn
 * table on a terminal, one line per change otherwise, one JSON line per change with --json.
 */
async function watchJobs(
  client: NodeClient,
  out: Output,
  initial: Job[],
  opts: { status?: string; limit: number; list: () => Promise<Job[]> },
): Promise<void> {
  const jobs = new Map(initial.map((j) => [j.id, j]));
  const seen = new Map(initial.map((j) => [j.id, JSON.stringify(j)]));
  const live = process.stdout.isTTY && !out.json;
  let mode = 'events';
  let redraw: NodeJS.Timeout | undefined;
  const draw = () => {
    redraw = undefined;
    const rows = [...jobs.values()].sort((a, b) => (a.id < b.id ? 1 : -1)).slice(0, opts.limit);
    process.stdout.write('\x1b[H\x1b[2J');
    out.line(`${out.color.bold('jobs')} on ${client.base} · live (${mode}) · Ctrl-C to stop`);
    out.table(
      JOB_HEAD,
      rows.map((j) => jobRow(j, out)),
    );
  };
  const onJob = (job: Job) => {
    if (opts.status && job.status !== opts.status) return;
    const text = JSON.stringify(job);
    if (seen.get(job.id) === text) return;
    seen.set(job.id, text);
    jobs.set(job.id, job);
    if (out.json) out.data(job, { lines: true });
    else if (live) redraw ??= setTimeout(draw, REDRAW_MS);
    else out.line(jobRow(job, out).filter(Boolean).join('  '));
  };
  if (out.json) initial.forEach((j) => out.data(j, { lines: true }));
  else if (live) draw();
  else initial.forEach((j) => out.line(jobRow(j, out).filter(Boolean).join('  ')));
  let interrupted = false;
  const stopped = new Promise<void>((resolve) =>
    process.once('SIGINT', () => {
      interrupted = true;
      resolve();
    }),
  );
  const events = await openJobEvents(client, onJob).catch(() => null);
  if (events) {
    await Promise.race([stopped, events.ended]);
    events.close();
  }
  // No event stream (a Lambda-hosted node), or it ended: poll the list until Ctrl-C.
  mode = 'polling';
  while (!interrupted) {
    await Promise.race([stopped, sleep(POLL_MS)]);
    if (!interrupted) (await opts.list().catch(() => [])).forEach(onJob);
  }
  clearTimeout(redraw);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());
