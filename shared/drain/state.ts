import fs from 'node:fs';
import path from 'node:path';
import type { DrainStatus } from './types';

/**
 * Whether this node is draining, kept in `<dataDir>/drain.json` so a restart keeps it (an
 * operator who drained a node and restarts it must not find it owning shards again).
 * AUDIUS_DRAIN=true also starts it draining. The last check's result lives here too.
 */
interface Persisted {
  draining: boolean;
  since: string | null;
  /** Timestamp (ms) of the last signed request applied: older ones are replays. */
  lastRequestAt: number;
}

export class DrainState {
  private state: Persisted;
  private last: Omit<DrainStatus, 'draining' | 'since'> = {
    files: 0,
    confirmed: 0,
    safeToRemove: false,
    checkedAt: null,
    blocked: 'not checked yet',
  };

  constructor(
    private readonly file: string | null,
    forced: boolean,
  ) {
    this.state = file ? read(file) : { draining: false, since: null, lastRequestAt: 0 };
    if (forced && !this.state.draining)
      this.state = { ...this.state, draining: true, since: new Date().toISOString() };
  }

  static inDataDir(dataDir: string, forced: boolean): DrainState {
    return new DrainState(path.join(dataDir, 'drain.json'), forced);
  }

  draining(): boolean {
    return this.state.draining;
  }

  lastRequestAt(): number {
    return this.state.lastRequestAt;
  }

  /** Starts or ends the drain (a signed request at `requestAt` ms); persisted before it counts. */
  set(draining: boolean, requestAt: number): void {
    const since = draining ? (this.state.since ?? new Date().toISOString()) : null;
    const next = { draining, since, lastRequestAt: Math.max(requestAt, this.state.lastRequestAt) };
    if (this.file) write(this.file, next);
    this.state = next;
    if (!draining)
      this.record({ files: 0, confirmed: 0, safeToRemove: false, checkedAt: null, blocked: null });
  }

  /** The result of a check (check.ts). */
  record(result: Omit<DrainStatus, 'draining' | 'since'>): void {
    this.last = result;
  }

  status(): DrainStatus {
    if (!this.state.draining)
      return {
        draining: false,
        since: null,
        files: 0,
        confirmed: 0,
        safeToRemove: false,
        checkedAt: null,
        blocked: null,
      };
    return { draining: true, since: this.state.since, ...this.last };
  }
}

function read(file: string): Persisted {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Persisted>;
    return {
      draining: v.draining === true,
      since: typeof v.since === 'string' ? v.since : null,
      lastRequestAt: typeof v.lastRequestAt === 'number' ? v.lastRequestAt : 0,
    };
  } catch {
    return { draining: false, since: null, lastRequestAt: 0 };
  }
}

/** Written aside and renamed, so a crash leaves the old state or the new, never half of one. */
function write(file: string, state: Persisted): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state));
  fs.renameSync(tmp, file);
}
