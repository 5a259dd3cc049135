import { KvWatchInclude } from '@nats-io/kv';
import type { Job } from '../jobs/types';
import type { Logger } from '../log';
import type { Nats } from '../nats/connection';
import { BUCKETS } from '../nats/names';

export type JobListener = (job: Job) => void;

interface Watch {
  stop: () => void;
}

/**
 * Every change of a job record (a watch on KV `jobs`), fanned out to this node's open
 * event streams: one watch per node however many pages are open, stopped with the last.
 */
export class JobFeed {
  private readonly listeners = new Set<JobListener>();
  private watch?: Promise<Watch>;

  constructor(
    private readonly nats: Nats,
    private readonly log: Logger,
  ) {}

  /** Starts the watch with the first subscriber; resolves to the unsubscribe. */
  async subscribe(listener: JobListener): Promise<() => void> {
    this.listeners.add(listener);
    try {
      await (this.watch ??= this.start());
    } catch (err) {
      this.listeners.delete(listener);
      this.watch = undefined;
      throw err;
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size > 0) return;
      const watch = this.watch;
      this.watch = undefined;
      void watch?.then((w) => w.stop()).catch(() => undefined);
    };
  }

  private async start(): Promise<Watch> {
    const kv = await this.nats.kvm.open(BUCKETS.jobs);
    const watcher = await kv.watch({ include: KvWatchInclude.UpdatesOnly, ignoreDeletes: true });
    const watch: Watch = { stop: () => watcher.stop() };
    void (async () => {
      for await (const entry of watcher) {
        if (entry.operation !== 'PUT') continue;
        let job: Job;
        try {
          job = entry.json<Job>();
        } catch {
          continue;
        }
        for (const listener of this.listeners) listener(job);
      }
    })()
      .catch((err) => this.log.warn({ err: String(err) }, 'job feed ended'))
      .finally(() => {
        // Ended by itself (the connection closed): the next subscriber starts a new watch.
        void this.watch?.then((current) => {
          if (current === watch) this.watch = undefined;
        });
      });
    return watch;
  }
}

const feeds = new WeakMap<Nats, JobFeed>();

/** The node's one feed (per NATS connection). */
export function jobFeedOf(nats: Nats, log: Logger): JobFeed {
  let feed = feeds.get(nats);
  if (!feed) feeds.set(nats, (feed = new JobFeed(nats, log)));
  return feed;
}
