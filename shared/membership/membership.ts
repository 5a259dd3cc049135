import { EventEmitter } from 'node:events';
import type { KV, KvEntry } from '@nats-io/kv';
import type { Identity } from '../identity/wallet';
import type { Logger } from '../log';
import { membershipRecordsRejected } from '../metrics';
import { Ring, type AssignmentMode } from '../placement/mod';
import { signRecord, verifyRecord } from './signed-record';
import type { Member, MembershipChange, NodeRecord } from './types';

const HISTORY_LIMIT = 200;
/** How much later than one heartbeat interval a new record may come before the view counts as not seeing. */
const feedSlackMs = (heartbeatMs: number) => Math.max(500, heartbeatMs / 2);
/**
 * The longest a view holds its judgement without records (in TTLs): a node cut off from NATS
 * for longer judges at the present again, and its ring empties as the records age.
 */
const MAX_BLIND_TTLS = 3;

export interface MembershipOptions {
  kv: KV;
  /** This node's record; absent for a read-only view (a function deployed alone on AWS). */
  self?: () => NodeRecord;
  /** Signs this node's records (its address is the record's nodeId); required with `self`. */
  identity?: Identity;
  /** How far a record's signed `lastOk` may be from the NATS server's time (./signed-record.ts). */
  recordWindowMs: number;
  heartbeatMs: number;
  /** A member whose last heartbeat is older than this is unhealthy. */
  healthTtlMs: number;
  shardLength: number;
  replicationFactor: number;
  /** Network-wide placement settings (AUDIUS_PLACEMENT_ASSIGNMENT, AUDIUS_PLACEMENT_LOAD_BOUND). */
  assignment?: AssignmentMode;
  loadBound?: number;
  log: Logger;
}

/**
 * Heartbeats this node's record into KV `nodes` and keeps its view of the others: who is
 * healthy, and the ring over the healthy set (DESIGN §3). A killed node drops out within
 * healthTtl + one check (≤ healthTtlMs + 1 s); a cleanly stopped one at once.
 */
export class Membership extends EventEmitter {
  private readonly members = new Map<string, Member>();
  private readonly history: MembershipChange[] = [];
  private ringView: Ring;
  private healthyKey = '';
  private ringKey = '';
  private changedAtMs = Date.now();
  private timers: NodeJS.Timeout[] = [];
  private watchStop?: () => void;
  /** Bumped to abandon a watch loop that is stuck (see restartStalledWatch). */
  private watchGeneration = 0;
  private stopped = false;
  private beating: Promise<void> = Promise.resolve();
  /**
   * Local clock minus the NATS server's, learned from this node's own heartbeats: entry times
   * are the server's, health is judged on the local clock, and operators' clocks drift.
   */
  private clockOffsetMs = 0;
  /** Known after the first heartbeat. */
  private selfId?: string;
  /** Local time this node last saw its own heartbeat come back through the watch. */
  private selfSeenAt = Date.now();
  /**
   * Local time the watch last delivered a record newer than any before it (see `judgedAt`);
   * unset before the first. Replays of old records (a restarted watch's initial values) do
   * not count: they say nothing of the present.
   */
  private heardAt?: number;
  /** NATS server time of the newest record delivered so far. */
  private newestRecordAt = 0;
  /** Whether the hold on judgement has been logged (once per blind spell). */
  private blindLogged = false;
  /** When records last came back after a gap: silence before it is not held against anyone. */
  private sightBackAt = 0;
  /** Signed `lastOk` of the last record taken from each node: older ones are replays. */
  private readonly lastOkTaken = new Map<string, number>();
  /** When a refusal was last logged, by key: a flood of forged records logs once a minute. */
  private readonly refusalLogged = new Map<string, number>();

  constructor(private readonly options: MembershipOptions) {
    super();
    this.ringView = new Ring([], this.ringOptions());
  }

  /** Resolved once the watch has delivered every record the bucket held when it started. */
  private firstView!: () => void;
  private readonly firstViewSeen = new Promise<void>((resolve) => (this.firstView = resolve));

  /**
   * Heartbeats, then returns once this node has seen the whole bucket (issue 15): the storer,
   * the steps and repair start after this, so ownership is never judged against a partial
   * ring. Bounded by the health TTL, after which the node starts with what it has (and says so).
   */
  async start(): Promise<void> {
    if (this.options.self) await this.beat();
    // An empty bucket sends no initial values to wait for (a read-only view, a first node).
    else if ((await this.options.kv.status().catch(() => null))?.values === 0) this.firstView();
    void this.watch(this.watchGeneration);
    const waited = await Promise.race([
      this.firstViewSeen.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), this.options.healthTtlMs).unref()),
    ]);
    if (!waited)
      this.options.log.warn(
        'membership: no full view of KV nodes within the health TTL; starting with what is known',
      );
    if (this.options.self) this.timers.push(setInterval(() => void this.beat(), this.options.heartbeatMs));
    this.timers.push(
      setInterval(() => {
        this.restartStalledWatch();
        this.evaluate();
      }, 1000),
    );
    this.evaluate();
  }

  /** Marks this node as leaving so the others drop it now, then stops. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.timers.forEach(clearInterval);
    this.timers = [];
    this.watchStop?.();
    if (!this.options.self) return;
    // A heartbeat still in flight must not land after the leaving record.
    await this.beating;
    const me = this.options.self();
    const leaving = this.options.kv
      .put(me.nodeId, this.signed({ ...me, leaving: true }))
      .catch(() => undefined);
    await Promise.race([leaving, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  }

  ring(): Ring {
    return this.ringView;
  }

  /** Every known member (healthy or not), by id. */
  list(): Member[] {
    return [...this.members.values()].sort((a, b) => (a.nodeId < b.nodeId ? -1 : 1));
  }

  get(nodeId: string): Member | undefined {
    return this.members.get(nodeId);
  }

  healthy(): Member[] {
    return this.list().filter((m) => m.healthy);
  }

  /**
   * ms since epoch of the last change of this node's ring (its start, before any): repair
   * deletes nothing while this is younger than its grace period (DESIGN §10 "Safety").
   */
  ringChangedAt(): number {
    return this.changedAtMs;
  }

  changes(): MembershipChange[] {
    return [...this.history];
  }

  private ringOptions() {
    return {
      shardLength: this.options.shardLength,
      replicationFactor: this.options.replicationFactor,
      assignment: this.options.assignment,
      loadBound: this.options.loadBound,
    };
  }

  private beat(): Promise<void> {
    if (!this.options.self || this.stopped) return this.beating;
    const me = this.options.self();
    this.selfId = me.nodeId;
    this.beating = this.options.kv.put(me.nodeId, this.signed(me)).then(
      () => undefined,
      (err) => this.options.log.warn({ err: String(err) }, 'heartbeat failed'),
    );
    return this.beating;
  }

  private signed(record: NodeRecord): string {
    if (!this.options.identity) throw new Error('membership: a heartbeating node needs its identity');
    return signRecord(this.options.identity, record);
  }

  /**
   * Follows KV `nodes`; a watch that ends (a lost connection) is started again. A loop whose
   * generation is no longer current stops at its next entry, or never wakes (then it only
   * holds a dead subscription): restartStalledWatch has started a fresh one.
   */
  private async watch(generation: number): Promise<void> {
    const current = () => !this.stopped && generation === this.watchGeneration;
    while (current()) {
      try {
        const watcher = await this.options.kv.watch();
        this.watchStop = () => watcher.stop();
        if (!current()) watcher.stop();
        for await (const entry of watcher) {
          if (!current()) break;
          this.apply(entry);
          // The initial values end with delta 0; a live update means they are all in.
          if (entry.isUpdate || !entry.delta) this.firstView();
        }
      } catch (err) {
        this.options.log.warn({ err: String(err) }, 'membership watch failed; restarting');
      }
      if (current()) await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /**
   * Takes a record only when its node signed it (./signed-record.ts); anything else is ignored,
   * logged and counted. A delete or purge of a key only drops a member that is already
   * unhealthy: anyone who can write to KV `nodes` could otherwise knock a live node out of the
   * ring until its next heartbeat (a leaving node says so in its own signed record).
   */
  private apply(entry: KvEntry): void {
    this.heard(entry.created.getTime());
    if (entry.operation !== 'PUT') {
      if (!this.members.get(entry.key)?.healthy) this.members.delete(entry.key);
      this.evaluate();
      return;
    }
    const serverTime = entry.created.getTime();
    const verdict = verifyRecord(entry.value, {
      key: entry.key,
      serverTimeMs: serverTime,
      windowMs: this.options.recordWindowMs,
      previousLastOkMs: this.lastOkTaken.get(entry.key),
    });
    if ('rejected' in verdict) {
      this.refuse(entry.key, verdict.rejected, verdict.detail);
      return;
    }
    const record = verdict.record;
    this.lastOkTaken.set(entry.key, Date.parse(record.lastOk));
    if (entry.key === this.selfId) {
      this.clockOffsetMs = Date.now() - serverTime;
      this.selfSeenAt = Date.now();
    }
    // Health carries over to the new record (evaluate judges it): a member healthy before a gap
    // keeps the gap's grace when a replay of its old record comes first.
    const healthy = this.members.get(entry.key)?.healthy ?? false;
    this.members.set(entry.key, { ...record, healthy, seenAt: serverTime + this.clockOffsetMs });
    this.evaluate();
  }

  private refuse(key: string, reason: string, detail: string): void {
    membershipRecordsRejected.inc({ reason });
    const now = Date.now();
    if (now - (this.refusalLogged.get(key) ?? 0) < 60_000) return;
    if (this.refusalLogged.size > 10_000) this.refusalLogged.clear();
    this.refusalLogged.set(key, now);
    this.options.log.warn({ key: key.slice(0, 100), reason, detail }, 'ignoring a membership record');
  }

  /**
   * A watch can stall without ending (its consumer lived on a NATS server that died; seen in
   * test/repair/five-nodes.long.ts): every member would then look unhealthy from here. Our
   * own heartbeats must come back through it, so when none has for three intervals, restart it.
   */
  private restartStalledWatch(): void {
    if (!this.options.self || this.stopped) return;
    const limit = Math.max(3 * this.options.heartbeatMs, 5000);
    if (Date.now() - this.selfSeenAt < limit) return;
    this.options.log.warn(
      { silentMs: Date.now() - this.selfSeenAt },
      'membership watch is silent; restarting it',
    );
    this.selfSeenAt = Date.now();
    this.watchStop?.();
    this.watchGeneration += 1;
    void this.watch(this.watchGeneration);
  }

  /**
   * The latest moment this view can vouch for. A node's own heartbeat comes back every
   * interval, so new records never pause much longer than that while the view sees; past it,
   * NATS is electing leaders or out of reach, and every record would age together until the
   * ring emptied (the chaos suite saw 0 healthy during a NATS server's restart). Health is
   * judged at most one interval (and a little) after the last new record: a stall stops the
   * clock, not the members — for up to MAX_BLIND_TTLS TTLs. A read-only view has no heartbeat
   * to vouch with and judges at the present.
   */
  private judgedAt(now: number): number {
    if (!this.options.self || this.heardAt === undefined) return now;
    if (now - this.heardAt > MAX_BLIND_TTLS * this.options.healthTtlMs) return now;
    return Math.min(now, this.heardAt + this.options.heartbeatMs + feedSlackMs(this.options.heartbeatMs));
  }

  /**
   * A record arrived, written at `serverTime`. A new one after a gap the view saw nothing in
   * gives every member that was healthy a fresh TTL to show its heartbeat.
   */
  private heard(serverTime: number): void {
    if (serverTime <= this.newestRecordAt) return;
    this.newestRecordAt = serverTime;
    const now = Date.now();
    if (this.heardAt !== undefined && this.judgedAt(now) < now) {
      this.sightBackAt = now;
      this.options.log.info(
        { gapMs: now - this.heardAt },
        'membership: records arrive again after a gap; every member gets a health TTL to show its heartbeat',
      );
    }
    this.heardAt = now;
    this.blindLogged = false;
  }

  /**
   * Recomputes health; when the healthy set changed, records the change, and when the set
   * of placement members (healthy, not draining, store fine, with their weights) changed, rebuilds the
   * ring. A draining node leaving changes the healthy set but not the ring, so it restarts
   * no grace period and moves nothing.
   */
  private evaluate(): void {
    const now = Date.now();
    const at = this.judgedAt(now);
    // Said once the hold matters: a TTL without records would have started emptying the ring.
    if (at < now && now - this.heardAt! >= this.options.healthTtlMs && !this.blindLogged) {
      this.blindLogged = true;
      this.options.log.warn(
        { silentMs: now - this.heardAt!, holdMs: MAX_BLIND_TTLS * this.options.healthTtlMs },
        'membership: no new record, not even our own heartbeat; holding the view until records arrive',
      );
    }
    for (const m of this.members.values()) {
      // Only a member healthy when the view stopped seeing gets the grace: a replayed record of
      // a node that had already dropped out does not bring it back.
      const since = m.healthy ? Math.max(m.seenAt, this.sightBackAt) : m.seenAt;
      m.healthy = !m.leaving && at - since < this.options.healthTtlMs;
    }
    const healthy = this.healthy();
    const placed = healthy.filter((m) => m.draining !== true && !m.storeProblem);
    const healthyKey = healthy.map((m) => m.nodeId).join(',');
    const ringKey = placed.map((m) => `${m.nodeId}:${weightOf(m)}`).join(',');
    if (healthyKey === this.healthyKey && ringKey === this.ringKey) return;
    this.healthyKey = healthyKey;
    const before = new Map(this.ringView.nodes.map((n) => [n.id, n.weight]));
    const after = new Map(placed.map((m) => [m.nodeId, weightOf(m)]));
    const joined = [...after.keys()].filter((id) => !before.has(id));
    const left = [...before.keys()].filter((id) => !after.has(id));
    if (ringKey !== this.ringKey) {
      this.ringKey = ringKey;
      this.changedAtMs = now;
      const reweighted = [...after].some(([id, w]) => before.has(id) && before.get(id) !== w);
      if (reweighted) {
        this.ringView = new Ring(
          [...after].map(([id, weight]) => ({ id, weight })),
          this.ringOptions(),
        );
      } else {
        // A node's score for a shard never changes: joins and leaves update the table in place.
        left.forEach((id) => this.ringView.leave(id));
        joined.forEach((id) => this.ringView.join({ id, weight: after.get(id) }));
      }
    }
    const change: MembershipChange = {
      at: new Date(now).toISOString(),
      joined,
      left,
      healthy: healthy.map((m) => m.nodeId),
      ringFingerprint: this.ringView.fingerprint(),
    };
    this.history.push(change);
    if (this.history.length > HISTORY_LIMIT) this.history.shift();
    this.options.log.info(
      { joined, left, healthy: healthy.length, placed: after.size },
      'membership changed',
    );
    this.emit('change', change);
  }
}

/** A record's weight as placement takes it: records come from peers, so anything odd counts as 1. */
function weightOf(m: Member): number {
  return typeof m.weight === 'number' && Number.isFinite(m.weight) && m.weight > 0 ? m.weight : 1;
}
