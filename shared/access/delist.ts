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

/**
 * What KV `delist` holds for a name. A relist does not delete the key: it leaves a tombstone
 * (`listed: false`) that keeps `requestAt`, so a captured request re-posted later cannot
 * undo a newer one (DELIST_REPLAYED). Records written before tombstones existed have neither
 * field: they are takedowns, applied at `at`.
 */
export interface StoredDelistRecord extends DelistRecord {
  /** False: relisted (not taken down). Absent means taken down. */
  listed?: boolean;
  /** Timestamp (ms) of the last request applied to this name: the signed `data.timestamp`, or the script's clock. */
  requestAt?: number;
}

export type DelistAction = 'delist' | 'relist';

/** Throws DELIST_BAD_REQUEST unless `name` is a result file name or a job id (a safe KV key). */
export function assertDelistable(name: unknown): asserts name is string {
  if (!isValidId(name) && !parseFileName(name))
    throw new StorageError(
      'DELIST_BAD_REQUEST',
      `not a job id or a result file name: ${JSON.stringify(name)}`,
    );
}

/** Whether a stored record takes its name down (a relist tombstone does not). */
export function isTakenDown(record: StoredDelistRecord): boolean {
  return record.listed !== false;
}

/**
 * Applies a delist or relist of `record.name` requested at `requestAt` (ms), unless a request
 * at least as new has been applied to that name: then DELIST_REPLAYED, and nothing changes.
 * Compare-and-set on the key, so two requests racing cannot both win.
 */
export async function applyDelistChange(
  kv: KV,
  action: DelistAction,
  record: DelistRecord,
  requestAt: number,
): Promise<void> {
  assertDelistable(record.name);
  const stored: StoredDelistRecord = { ...record, listed: action === 'delist', requestAt };
  for (let attempt = 0; ; attempt++) {
    const current = await kv.get(record.name);
    const last = current?.operation === 'PUT' ? lastRequestAt(current) : undefined;
    if (last !== undefined && requestAt <= last)
      throw new StorageError(
        'DELIST_REPLAYED',
        `a request for ${record.name} at least as new as this one has been applied`,
      );
    try {
      if (current) await kv.update(record.name, JSON.stringify(stored), current.revision);
      else await kv.create(record.name, JSON.stringify(stored));
      return;
    } catch (err) {
      if (attempt >= 4) throw err; // another request won the race each time: let the caller retry
    }
  }
}

/** The script's way (no signed request): a delist now. */
export async function addToDelist(kv: KV, record: DelistRecord): Promise<void> {
  await applyDelistChange(kv, 'delist', record, Date.now());
}

/** The script's way: a relist now, leaving a tombstone (see StoredDelistRecord). */
export async function removeFromDelist(kv: KV, name: string, by = 'cli'): Promise<void> {
  await applyDelistChange(kv, 'relist', { name, reason: '', by, at: new Date().toISOString() }, Date.now());
}

function lastRequestAt(entry: KvEntry): number {
  try {
    const record = entry.json<StoredDelistRecord>();
    if (typeof record.requestAt === 'number') return record.requestAt;
    const at = Date.parse(record.at);
    return Number.isFinite(at) ? at : 0;
  } catch {
    return 0; // not our JSON: any signed request is newer
  }
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

  /** What is taken down, newest first (relisted names are not in it). */
  list(): DelistRecord[] {
    return [...this.entries.values()]
      .map(({ name, reason, by, at }) => ({ name, reason, by, at }))
      .sort((a, b) => (a.at < b.at ? 1 : -1));
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
      const record = entry.json<StoredDelistRecord>();
      if (isTakenDown(record)) this.entries.set(entry.key, { ...record, name: entry.key });
      else this.entries.delete(entry.key);
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
