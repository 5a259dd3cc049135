import type { Logger } from '../log';
import type { StoreState } from './types';

/**
 * Keeps this node's store state current (issue 15: health covers the blob store): probes at
 * start and then every interval. A failing or full store makes the node unhealthy (503) and
 * takes it out of placement for new work — its heartbeat carries `storeProblem`, and every
 * ring leaves it out as it leaves out a draining node — until a probe passes again.
 */
export class StoreHealth {
  private current: StoreState = { ok: true, reason: null, freeBytes: null, checkedAt: null };
  private timer?: NodeJS.Timeout;
  private running?: Promise<StoreState>;

  constructor(
    private readonly probe: () => Promise<StoreState>,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  state(): StoreState {
    return this.current;
  }

  /** Probes now (one probe at a time: a caller during one waits for it). */
  check(): Promise<StoreState> {
    this.running ??= this.probe()
      .then((next) => this.take(next))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** First probe, awaited: a node whose store fails never enters the ring. */
  async start(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => void this.check(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private take(next: StoreState): StoreState {
    if (next.ok !== this.current.ok) {
      if (next.ok) this.log.info({ freeBytes: next.freeBytes }, 'store healthy: taking new work again');
      else this.log.warn({ reason: next.reason }, 'store unhealthy: out of placement for new work');
    }
    this.current = next;
    return next;
  }
}
