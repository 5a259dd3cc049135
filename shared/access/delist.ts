import type { KV, KvEntry } from '@nats-io/kv';
import { StorageError } from '../errors';
import type { Logger } from '../log';
import { isValidId, parseFileName } from '../placement/keys';

/**
 * Takedowns (issue 11): the delist set lives in KV `delist`, one key per file name or job id
 * (a job id takes down every file of the job and its source). Every node follows the bucket
 * with a watch, so a new entry is refused everywhere as fast as NATS delivers it.
 */
export interface DelistRecord {
  /** A result file name or a job id. */
  name: string;
  reason: string;
  /** Wallet that signed the request, or `cli` for the operator's script. */
  by: string;
  /** ISO time it was delisted. */
  at: string;
}

/** Throws DELIST_BAD_REQUEST unless `name` is a result file name or a job id (a safe KV key). */
export function assertDelistable(name: unknown): asserts name is string {
  if (!isValidId(name) && !parseFileName(name))
    throw new StorageError(
      'DELIST_BAD_REQUEST',
      `not a job id or a result file name: ${JSON.stringify(name)}`,
    );
}

export async function addToDelist(kv: KV, record: DelistRecord): Promise<void> {
  assertDelistable(record.name);
  await kv.put(record.name, JSON.stringify(record));
}

export async function removeFromDelist(kv: KV, name: string): Promise<void> {
  assertDelistable(name);
  await kv.delete(name);
}

export class DelistSet {
  private readonly entries = new Map<string, DelistRecord>();
  private stopped = false;
  private stopWatch?: () => void;

  constructor(
    private readonly kv: KV,
    private readonly log: Logger,
    /** False once the connection is closed for good: the watch then stops retrying. */
    private readonly live: () => boolean,
  ) {}

  /** Loads the current set, then follows changes in the background. */
  async start(): Promise<void> {
    for await (const key of await this.kv.keys()) {
      const entry = await this.kv.get(key);
      if (entry) this.apply(entry);
    }
    void this.follow();
  }

  stop(): void {
    this.stopped = true;
    this.stopWatch?.();
  }

  /** The record that takes `name` down (the name itself, or its job id), or null. */
  find(name: string): DelistRecord | null {
    return this.entries.get(name) ?? this.entries.get(parseFileName(name)?.id ?? '') ?? null;
  }

  list(): DelistRecord[] {
    return [...this.entries.values()].sort((a, b) => (a.at < b.at ? 1 : -1));
  }

  private async follow(): Promise<void> {
    while (!this.stopped && this.live()) {
      try {
        const watcher = await this.kv.watch();
        this.stopWatch = () => watcher.stop();
        if (this.stopped) watcher.stop();
        for await (const entry of watcher) this.apply(entry);
      } catch (err) {
        if (this.live()) this.log.warn({ err: String(err) }, 'delist watch failed; restarting');
      }
      await new Promise((r) => setTimeout(r, 1000).unref());
    }
  }

  private apply(entry: KvEntry): void {
    if (entry.operation !== 'PUT') {
      this.entries.delete(entry.key);
      return;
    }
    try {
      const record = entry.json<DelistRecord>();
      this.entries.set(entry.key, { ...record, name: entry.key });
    } catch {
      // A value that is not our JSON still takes the name down: failing open would undo a takedown.
      this.entries.set(entry.key, {
        name: entry.key,
        reason: '',
        by: 'unknown',
        at: new Date(0).toISOString(),
      });
    }
  }
}
