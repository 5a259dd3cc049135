import { setTimeout as sleep } from 'node:timers/promises';
import type { KV } from '@nats-io/kv';
import { StorageError } from '../errors';
import { DEFAULT_NATS_TIMINGS } from '../nats/connection';
import { retryNats, type RetryPolicy } from '../nats/retry';
import type { JobIndex } from './job-index';
import { JOB_STATUS, type Job, type JobStatus } from './types';

export interface JobPage {
  jobs: Job[];
  /** Pass back as `cursor` for the next (older) page. */
  next?: string;
}

/**
 * Job records in KV `jobs`, keyed by id. Every change is a compare-and-set on the entry's
 * revision (STYLE §7), so a progress update never overwrites a storer's record of a copy.
 * Every call rides out transient JetStream faults (shared/nats/retry.ts): each is a read, a
 * create or a compare-and-set, so repeating one is safe.
 */
export class JobStore {
  constructor(
    private readonly kv: KV,
    /** Open and recent jobs (./job-index.ts); without it listings read every key. */
    private readonly index?: JobIndex,
    private readonly retry: RetryPolicy = { budgetMs: DEFAULT_NATS_TIMINGS.retryBudgetMs },
  ) {}

  async create(job: Job): Promise<void> {
    // Indexed first: a job must never exist that the sweeper cannot find.
    const index = this.index;
    if (index) await retryNats(this.retry, `index job ${job.id}`, () => index.recordNew(job.id, job.status));
    const value = JSON.stringify(job);
    await retryNats(this.retry, `create job ${job.id}`, async (attempt) => {
      try {
        await this.kv.create(job.id, value);
      } catch (err) {
        // A create whose answer was lost has landed: the retry finds our own record there.
        if (attempt > 1 && (await this.kv.get(job.id))?.string() === value) return;
        throw err;
      }
    });
  }

  async get(id: string): Promise<Job | null> {
    return (await this.getWithTime(id))?.job ?? null;
  }

  /** The job and when its record was last written (the NATS server's time, ms). */
  async getWithTime(id: string): Promise<{ job: Job; writtenAt: number } | null> {
    const entry = await retryNats(this.retry, `read job ${id}`, () => this.kv.get(id));
    return entry && entry.operation === 'PUT'
      ? { job: entry.json<Job>(), writtenAt: entry.created.getTime() }
      : null;
  }

  async require(id: string): Promise<Job> {
    const job = await this.get(id);
    if (!job) throw new StorageError('JOB_NOT_FOUND', `No job ${id}`);
    return job;
  }

  /**
   * Applies `change` to the current record until the write lands on the revision it read.
   * `change` returns the new record, or null to leave it as it is.
   */
  async update(id: string, change: (job: Job) => Job | null): Promise<Job> {
    for (let attempt = 0; ; attempt++) {
      const entry = await retryNats(this.retry, `read job ${id}`, () => this.kv.get(id));
      if (!entry || entry.operation !== 'PUT') throw new StorageError('JOB_NOT_FOUND', `No job ${id}`);
      const current = entry.json<Job>();
      const next = change(current);
      if (!next) return current;
      const value = JSON.stringify(next);
      try {
        await retryNats(this.retry, `update job ${id}`, async (call) => {
          try {
            await this.kv.update(id, value, entry.revision);
          } catch (err) {
            // A write whose answer was lost has landed: its retry fails on the revision and
            // finds our own record. Re-running `change` on it would see our write as someone
            // else's (the transcode step would think it lost its own claim and drop results).
            if (call > 1 && isWrongRevision(err) && (await this.landed(id, value, err))) return;
            throw err;
          }
        });
        const index = this.index;
        if (index && next.status !== current.status)
          await retryNats(this.retry, `index job ${id}`, () => index.record(id, next.status));
        return next;
      } catch (err) {
        if (attempt >= 20 || !isWrongRevision(err)) throw err;
      }
    }
  }

  /**
   * Whether the record's newest write — the revision the refusal names, answered by the stream
   * leader — is `value`. Read at that revision, not as "the latest": any replica answers a KV
   * read, and one that lacks the write (likely just after a server died) would show the old
   * record and make our own write look like a rival's.
   */
  private async landed(id: string, value: string, refusal: unknown): Promise<boolean> {
    const revision = Number(/wrong last sequence: (\d+)/i.exec(String(refusal))?.[1]);
    if (!revision) return (await this.kv.get(id))?.string() === value;
    for (let look = 0; look < LANDED_LOOKS; look++) {
      const entry = await this.kv.get(id, { revision });
      if (entry) return entry.string() === value;
      await sleep(LANDED_PAUSE_MS);
    }
    return false;
  }

  /** Every job id ever made, in no particular order (one request streams them all). */
  async ids(): Promise<string[]> {
    return retryNats(this.retry, 'list job ids', async () => {
      const keys: string[] = [];
      for await (const key of await this.kv.keys()) keys.push(key);
      return keys;
    });
  }

  /** Ids of the jobs of `shard` (the shard index; a filtered read of every id without one). */
  async shardIds(shard: string): Promise<string[]> {
    const index = this.index;
    const ids = index && (await retryNats(this.retry, `list shard ${shard}`, () => index.shardIds(shard)));
    return ids ?? (await this.ids()).filter((id) => id.endsWith(shard));
  }

  /** Ids of the jobs of the listing window (every id without the index). */
  async recentIds(): Promise<string[]> {
    const index = this.index;
    return index ? retryNats(this.retry, 'list recent jobs', () => index.recentIds()) : this.ids();
  }

  /** True when a shard's jobs are found without reading every id. */
  indexed(): boolean {
    return this.index?.hasShardIndex() === true;
  }

  /** Ids of the jobs not yet done or error (the open index; every id without one). */
  async openIds(): Promise<string[]> {
    const index = this.index;
    return index ? retryNats(this.retry, 'list open jobs', () => index.openIds()) : this.ids();
  }

  /**
   * Newest first (ids sort by creation time), optionally only one status. Pages through the
   * listing window (./job-index.ts), or the open jobs for `pending` / `in_progress`.
   */
  async list(options: { status?: JobStatus; limit: number; cursor?: string }): Promise<JobPage> {
    const open = options.status === JOB_STATUS.pending || options.status === JOB_STATUS.inProgress;
    const ids = !this.index ? await this.ids() : open ? await this.openIds() : await this.recentIds();
    const keys = ids.sort().reverse();
    const start = options.cursor ? keys.findIndex((k) => k < options.cursor!) : 0;
    const jobs: Job[] = [];
    let i = start < 0 ? keys.length : start;
    for (; i < keys.length && jobs.length < options.limit; i++) {
      const job = await this.get(keys[i]);
      if (job && (!options.status || job.status === options.status)) jobs.push(job);
    }
    return { jobs, next: i < keys.length ? keys[i - 1] : undefined };
  }
}

/** Reads of the revision a refusal names, a moment apart, before a lagging replica is given up on. */
const LANDED_LOOKS = 5;
const LANDED_PAUSE_MS = 200;

/** The compare-and-set lost: the record changed since it was read. */
function isWrongRevision(err: unknown): boolean {
  return /wrong last sequence/i.test(String(err));
}
