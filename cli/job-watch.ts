import type { Job } from '../shared/jobs/types';
import { JOB_STATUS } from '../shared/jobs/types';
import type { NodeClient } from './client';
import { openJobEvents, type JobEvents } from './job-events';

/** Polls while the event stream is open catch what a stream cannot: a job done before we asked. */
const POLL_MS = { events: 3000, polling: 1000 } as const;

export const isFinished = (job: Pick<Job, 'status'>) =>
  job.status === JOB_STATUS.done || job.status === JOB_STATUS.error;

interface Waiter {
  onUpdate: (job: Job) => void;
  resolve: (job: Job) => void;
}

/**
 * Follows jobs to their end: the node's event stream when it has one, and polling of
 * `GET /storage/jobs/:id` beside it (alone when the stream is unavailable, e.g. on Lambda).
 */
export class JobWatch {
  private readonly waiters = new Map<string, Waiter>();
  private events: JobEvents | null = null;
  private closed = false;
  private timer?: NodeJS.Timeout;

  private constructor(private readonly client: NodeClient) {}

  static async start(client: NodeClient): Promise<JobWatch> {
    const watch = new JobWatch(client);
    watch.events = await openJobEvents(client, (job) => watch.dispatch(job)).catch(() => null);
    watch.schedulePoll();
    return watch;
  }

  mode(): 'events' | 'polling' {
    return this.events?.mode() ?? 'polling';
  }

  /** Resolves with the job once it is `done` or `error`; `onUpdate` sees every change on the way. */
  wait(id: string, onUpdate: (job: Job) => void): Promise<Job> {
    return new Promise((resolve) => this.waiters.set(id, { onUpdate, resolve }));
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.events?.close();
  }

  private dispatch(job: Job): void {
    const waiter = this.waiters.get(job.id);
    if (!waiter) return;
    waiter.onUpdate(job);
    if (!isFinished(job)) return;
    this.waiters.delete(job.id);
    waiter.resolve(job);
  }

  private schedulePoll(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => void this.poll(), POLL_MS[this.mode()]);
  }

  private async poll(): Promise<void> {
    await Promise.all(
      [...this.waiters.keys()].map((id) =>
        this.client.json<Job>(`/jobs/${id}`, { timeoutMs: 5000 }).then(
          (job) => this.dispatch(job),
          () => undefined, // a missed poll is retried; the node going away shows in the next one
        ),
      ),
    );
    this.schedulePoll();
  }
}
