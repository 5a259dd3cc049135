import type { KV } from '@nats-io/kv';
import { identityFromHex, type Identity } from '../../shared/identity/wallet';
import { createLogger } from '../../shared/log';
import { Membership } from '../../shared/membership/membership';
import { signRecord } from '../../shared/membership/signed-record';
import { randomKey } from '../harness/config';
import { startNodesBucket, testNodeRecord, type NodesBucket } from '../harness/node-record';

const HEARTBEAT_MS = 300;
const TTL_MS = 3000;

/**
 * When NATS stalls (a leader election, a server paused), no heartbeat arrives — not even this
 * node's own — and every record ages past the TTL at once. That is the view gone blind, not
 * every node dead: the ring must not empty (the chaos suite saw 0 healthy during a NATS
 * server's restart). A node whose heartbeats stop while records flow still drops out.
 * The stall is real: the test's nats-server is paused with SIGSTOP and resumed with SIGCONT.
 */
describe('membership while NATS stalls', () => {
  let bucket: NodesBucket;
  let kv: KV;
  const views: Membership[] = [];
  const beats = new Map<string, NodeJS.Timeout>();

  beforeAll(async () => {
    bucket = await startNodesBucket();
    kv = bucket.kv;
  }, 30_000);

  afterAll(async () => {
    beats.forEach(clearInterval);
    bucket?.nats.servers[0].process.kill('SIGCONT');
    await Promise.all(views.map((v) => v.stop()));
    await bucket?.stop();
  });

  const node = async (id: Identity): Promise<Membership> => {
    const m = new Membership({
      kv,
      self: () => testNodeRecord(id),
      identity: id,
      recordWindowMs: 60_000,
      heartbeatMs: HEARTBEAT_MS,
      healthTtlMs: TTL_MS,
      shardLength: 2,
      replicationFactor: 2,
      log: createLogger('t', 'silent'),
    });
    views.push(m);
    await m.start();
    return m;
  };

  const healthyIds = (m: Membership) =>
    m
      .healthy()
      .map((x) => x.nodeId)
      .sort();

  const until = async (check: () => boolean, what: string, timeoutMs: number) => {
    const end = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  /** Every view of `m` sampled each 100 ms for `ms`. */
  const sample = async (m: Membership, ms: number): Promise<string[][]> => {
    const seen: string[][] = [];
    const end = Date.now() + ms;
    while (Date.now() < end) {
      seen.push(healthyIds(m));
      await new Promise((r) => setTimeout(r, 100));
    }
    return seen;
  };

  test('a stall longer than the TTL keeps the ring; nodes that stop beating still drop out', async () => {
    const me = identityFromHex(randomKey());
    const other = identityFromHex(randomKey());
    const dies = identityFromHex(randomKey()); // killed while NATS is stalled
    const ghost = identityFromHex(randomKey()); // one heartbeat, then silence: killed before
    await kv.put(ghost.address, signRecord(ghost, testNodeRecord(ghost)));
    const view = await node(me);
    // The other two beat by hand, so the test can kill them (stop beating, no leaving record).
    const beat = (id: Identity) => () =>
      void kv.put(id.address, signRecord(id, testNodeRecord(id))).catch(() => undefined);
    beats.set(other.address, setInterval(beat(other), HEARTBEAT_MS));
    beats.set(dies.address, setInterval(beat(dies), HEARTBEAT_MS));
    const all = [me.address, other.address, dies.address].sort();
    const live = [me.address, other.address].sort();
    const is = (ids: string[]) => JSON.stringify(healthyIds(view)) === JSON.stringify(ids);
    await until(() => is(all), 'the ghost dropped out', 10_000);

    const server = bucket.nats.servers[0].process;
    server.kill('SIGSTOP');
    clearInterval(beats.get(dies.address));
    let during: string[][];
    try {
      during = await sample(view, TTL_MS * 2); // past the TTL, within the hold (3 TTLs)
    } finally {
      server.kill('SIGCONT');
    }
    const resumedAt = Date.now();
    await until(() => is(live), 'the node killed during the stall dropped out', 10_000);
    const droppedAfterMs = Date.now() - resumedAt;

    expect(during.length).toBeGreaterThan(20);
    expect(during.filter((ids) => JSON.stringify(ids) !== JSON.stringify(all))).toEqual([]);
    // One TTL from when records flow again, and the evaluation tick (1 s), and delivery slack.
    expect(droppedAfterMs).toBeLessThan(TTL_MS + 2500);
    expect(
      (await sample(view, TTL_MS)).filter((ids) => JSON.stringify(ids) !== JSON.stringify(live)),
    ).toEqual([]);

    // Records flow: a node that stops beating drops out in the README's bound (TTL + 1 s).
    clearInterval(beats.get(other.address));
    const stoppedAt = Date.now();
    await until(() => is([me.address]), 'the other dropped out', 10_000);
    expect(Date.now() - stoppedAt).toBeLessThan(TTL_MS + 2500);
    expect(view.ring().nodes.map((n) => n.id)).toEqual([me.address]);
  }, 60_000);
});
