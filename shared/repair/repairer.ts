import { describeError } from '../errors';
import { auditJobs, type AuditReport } from './audit';
import type { RepairContext } from './context';
import { repairPass, type PassReport } from './pass';
import { quarantineCopy } from './quarantine';
import { scrubPass, type ScrubReport } from './scrub';
import { repairMetrics } from './stats';
import type { RepairStatus } from './types';

export type { RepairStatus };

/**
 * Runs repair on a node: a pass on every ring change (debounced by AUDIUS_REPAIR_DEBOUNCE_SECONDS)
 * and whenever the `repair` schedule fires (serverless.yml), never two at once — a trigger
 * during a pass runs one more pass after it. Every AUDIUS_REPAIR_AUDIT_SECONDS a pass also
 * audits the job records. The scrub (`scrub` schedule) and full reads report corrupt copies here.
 */
export class Repairer {
  private running: Promise<PassReport | null> | undefined;
  private again = false;
  private debounce: NodeJS.Timeout | undefined;
  private lastAuditAt = 0;
  /** The next pass asks every healthy peer: set at start, on ring changes, after a failing pass. */
  private fullDue = true;
  /** Passes in a row whose pulls failed: retries back off (a full disk, a file only a bad holder has). */
  private failStreak = 0;
  private scrubbing = false;
  private readonly controller = new AbortController();
  private readonly onRingChange = () => {
    this.fullDue = true;
    this.schedule();
  };

  constructor(private readonly ctx: RepairContext) {}

  start(): void {
    this.ctx.membership.on('change', this.onRingChange);
    this.ctx.blob.onCorrupt = (key, expectedSha256, actual) => {
      const where = this.ctx.catalog.parseKey(key);
      const entry = where && this.ctx.catalog.get(where.shard, where.name);
      if (!entry || entry.sha256 !== expectedSha256) return;
      void quarantineCopy(this.ctx, key, entry, `full read: sha256 ${actual}`, this.controller.signal).catch(
        (err) => this.ctx.log.error({ key, err: describeError(err) }, 'repair: quarantine failed'),
      );
    };
    void this.ctx.catalog.build(this.ctx.blob.inner).then(
      () =>
        this.ctx.log.info({ files: this.ctx.catalog.fileCount() }, 'catalog of the long-term store ready'),
      (err) => this.ctx.log.error({ err: describeError(err) }, 'could not list the long-term store'),
    );
  }

  async stop(): Promise<void> {
    this.ctx.membership.off('change', this.onRingChange);
    clearTimeout(this.debounce);
    this.controller.abort(new Error('node shutting down'));
    await this.running?.catch(() => undefined);
  }

  /** A pass soon (debounced): ring changes come in bursts when several nodes start or stop. */
  schedule(delayMs = this.ctx.config.repairDebounceSeconds * 1000): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.run().catch(() => undefined), delayMs);
    this.debounce.unref();
  }

  /** Runs a pass now, or joins the one running and asks for one more after it. */
  run(signal?: AbortSignal): Promise<PassReport | null> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const combined = signal ? AbortSignal.any([signal, this.controller.signal]) : this.controller.signal;
    this.running = this.loop(combined).finally(() => (this.running = undefined));
    return this.running;
  }

  async scrub(signal?: AbortSignal): Promise<ScrubReport | null> {
    if (this.scrubbing || this.ctx.config.scrubMBps <= 0) return null;
    this.scrubbing = true;
    try {
      const combined = signal ? AbortSignal.any([signal, this.controller.signal]) : this.controller.signal;
      const report = await scrubPass(this.ctx, combined);
      this.ctx.stats.lastScrubAt = new Date().toISOString();
      this.ctx.stats.lastScrubSeconds = report.seconds;
      repairMetrics.lastScrub.set(Date.now() / 1000);
      this.ctx.log.info(report, 'scrub pass');
      return report;
    } finally {
      this.scrubbing = false;
    }
  }

  status(): RepairStatus {
    const s = this.ctx.stats;
    return {
      running: this.running !== undefined,
      lastPassAt: s.lastPassAt ?? null,
      lastPassSeconds: s.lastPassSeconds ?? null,
      lastPassRequests: s.lastPassRequests ?? null,
      underReplicated: s.underReplicated,
      lost: s.lost,
      pulling: s.pulling.size,
      pulled: s.pulled,
      deleted: s.deleted,
      quarantined: s.quarantined,
      trimBlocked: s.trimBlocked ?? null,
      lastScrubAt: s.lastScrubAt ?? null,
      lastScrubSeconds: s.lastScrubSeconds ?? null,
    };
  }

  /** Files being pulled right now (the weather map's shard page). */
  pulling(): string[] {
    return [...this.ctx.stats.pulling];
  }

  private async loop(signal: AbortSignal): Promise<PassReport | null> {
    let report: PassReport | null = null;
    do {
      this.again = false;
      if (signal.aborted) break;
      report = await this.passOnce(signal);
    } while (this.again);
    return report;
  }

  private async passOnce(signal: AbortSignal): Promise<PassReport> {
    const auditDue = Date.now() - this.lastAuditAt >= this.ctx.config.repairAuditSeconds * 1000;
    const full = this.fullDue || auditDue;
    this.fullDue = false;
    const report = await repairPass(this.ctx, signal, full);
    if (report.pullFailed > 0 || report.peersAnswered < report.peersAsked) this.fullDue = true;
    let audit: AuditReport | undefined;
    if (auditDue && !signal.aborted) {
      audit = await auditJobs(this.ctx, signal);
      this.lastAuditAt = Date.now();
    }
    const s = this.ctx.stats;
    s.lastPassAt = new Date().toISOString();
    s.lastPassSeconds = report.seconds;
    s.lastPassRequests = report.requests;
    s.underReplicated = report.underReplicated;
    s.trimBlocked = report.trimBlocked;
    repairMetrics.underReplicated.set(report.underReplicated);
    repairMetrics.lastPass.set(Date.now() / 1000);
    repairMetrics.lastPassSeconds.set(report.seconds);
    repairMetrics.lastPassRequests.set(report.requests);
    const busy =
      report.pulled + report.pullFailed + report.deleted + (audit?.pulled ?? 0) + (audit?.lost ?? 0) > 0;
    this.ctx.log[busy ? 'info' : 'debug']({ ...report, audit }, 'repair pass');
    // Pulls that failed (a peer died mid-pass) are retried soon rather than at the next
    // schedule, backing off while they keep failing.
    this.failStreak = report.pullFailed > 0 ? this.failStreak + 1 : 0;
    if (this.failStreak > 0 && !signal.aborted) {
      const base = Math.max(1, this.ctx.config.repairDebounceSeconds) * 1000;
      this.schedule(Math.min(base * 2 ** (this.failStreak - 1), 300_000));
    }
    return report;
  }
}
