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

/** How often a node re-reads the whole delist bucket (see DelistSet.refresh). */
export const DELIST_REFRESH_MS = 30_000;

export class DelistSet {
  private readonly entries = new Map<string, DelistRecord>();
  /** Per key: the last revision applied (watch or re-read) and the local time it was applied. */
  private readonly seen = new Map<string, { revision: number; appliedAt: number }>();
  private stopped = false;
  private stopWatch?: () => void;
  /** Bumped to abandon a watch loop that may be stuck (see refresh). */
  private watchGeneration = 0;
  private timer?: NodeJS.Timeout;
  private lastRefreshAt: number | null = null;

  constructor(
    private readonly kv: KV,
    private readonly log: Logger,
    /** False once the connection is closed for good: the watch then stops retrying. */
    private readonly live: () => boolean,
    private readonly refreshMs = DELIST_REFRESH_MS,
  ) {}

  /** Loads the current set, then follows changes in the background. */
  async start(): Promise<void> {
    await this.refresh();
    void this.follow(this.watchGeneration);
    this.timer = setInterval(() => void this.heal(), this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
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

  /** ISO time of the last full re-read of the bucket (null before the first). */
  refreshedAt(): string | null {
    return this.lastRefreshAt === null ? null : new Date(this.lastRefreshAt).toISOString();
  }

  /**
   * Reads the whole bucket and applies what the watch has not delivered; returns how many
   * keys that changed. A watch can stall without ending (its consumer lived on a NATS server
   * that died — the membership watch did, commit 3394b1f), and the delist bucket is quiet, so
   * silence proves nothing: this re-read every `refreshMs` is what bounds a missed takedown.
   */
  async refresh(): Promise<number> {
    const startedAt = Date.now();
    const present = new Set<string>();
    let changes = 0;
    for await (const key of await this.kv.keys()) {
      present.add(key);
      const entry = await this.kv.get(key);
      if (entry && this.apply(entry)) changes += 1;
    }
    // Gone from the bucket (deleted or purged) and not applied since this read began.
    for (const [key, seen] of this.seen) {
      if (present.has(key) || seen.appliedAt >= startedAt) continue;
      this.seen.delete(key);
      if (this.entries.delete(key)) changes += 1;
    }
    this.lastRefreshAt = Date.now();
    return changes;
  }

  /** The periodic re-read; when it found what the watch missed, the watch is replaced. */
  private async heal(): Promise<void> {
    if (this.stopped || !this.live()) return;
    try {
      const changes = await this.refresh();
      if (changes === 0 || this.stopped) return;
      this.log.warn({ changes }, 'delist watch missed changes; re-read the bucket and restarting the watch');
      this.stopWatch?.();
      this.watchGeneration += 1;
      void this.follow(this.watchGeneration);
    } catch (err) {
      if (this.live()) this.log.warn({ err: String(err) }, 'delist re-read failed');
    }
  }

  private async follow(generation: number): Promise<void> {
    const current = () => !this.stopped && this.live() && generation === this.watchGeneration;
    while (current()) {
      try {
        const watcher = await this.kv.watch();
        this.stopWatch = () => watcher.stop();
        if (!current()) watcher.stop();
        for await (const entry of watcher) {
          if (!current()) break;
          this.apply(entry);
        }
      } catch (err) {
        if (this.live()) this.log.warn({ err: String(err) }, 'delist watch failed; restarting');
      }
      if (current()) await new Promise((r) => setTimeout(r, 1000).unref());
    }
  }

  /** Applies an entry newer than what this node has for its key; returns whether it did. */
  private apply(entry: KvEntry): boolean {
    const seen = this.seen.get(entry.key);
    if (seen && entry.revision <= seen.revision) return false;
    this.seen.set(entry.key, { revision: entry.revision, appliedAt: Date.now() });
    if (entry.operation !== 'PUT') {
      this.entries.delete(entry.key);
      return true;
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
    return true;
  }
}
