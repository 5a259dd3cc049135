import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { identityFromHex, type Identity } from '../../shared/identity/wallet';
import { createLogger } from '../../shared/log';
import { Membership } from '../../shared/membership/membership';
import { signRecord } from '../../shared/membership/signed-record';
import { randomKey } from '../harness/config';
import { startNodesBucket, testNodeRecord, type NodesBucket } from '../harness/node-record';

/**
 * Issue 15: the storer, the steps and repair start once `membership.start()` returns, so it
 * must return with the whole ring in view — not a ring of this node alone, against which it
 * would think it owns every shard.
 */
describe('membership starts with the full view', () => {
  let bucket: NodesBucket;
  let kv: KV;

  beforeAll(async () => {
    bucket = await startNodesBucket();
    kv = bucket.kv;
  }, 30_000);

  afterAll(async () => {
    await bucket?.stop();
  });

  const membership = (self?: Identity) =>
    new Membership({
      kv,
      self: self ? () => testNodeRecord(self, 9000) : undefined,
      identity: self,
      recordWindowMs: 60_000,
      heartbeatMs: 1000,
      // Long, so a start() that fell back to its TTL bound shows in the time it took.
      healthTtlMs: 60_000,
      shardLength: 2,
      replicationFactor: 2,
      log: createLogger('t', 'silent'),
    });

  test('when start() returns, every live member is in the ring', async () => {
    const others = Array.from({ length: 20 }, () => identityFromHex(randomKey()));
    await Promise.all(others.map((o, i) => kv.put(o.address, signRecord(o, testNodeRecord(o, 9100 + i)))));
    const me = identityFromHex(randomKey());
    const m = membership(me);
    const started = Date.now();
    await m.start();
    try {
      expect(Date.now() - started).toBeLessThan(30_000);
      const ids = [me, ...others].map((o) => o.address).sort();
      expect(m.healthy().map((x) => x.nodeId)).toEqual(ids);
      expect(
        m
          .ring()
          .nodes.map((n) => n.id)
          .sort(),
      ).toEqual(ids);
    } finally {
      await m.stop();
    }
  });

  test('a read-only view of an empty bucket starts at once', async () => {
    const empty = await new Kvm(jetstream(bucket.nc)).create('nodes_empty', { history: 1 });
    const m = new Membership({
      kv: empty,
      recordWindowMs: 60_000,
      heartbeatMs: 1000,
      healthTtlMs: 10_000,
      shardLength: 2,
      replicationFactor: 2,
      log: createLogger('t', 'silent'),
    });
    const started = Date.now();
    await m.start();
    expect(Date.now() - started).toBeLessThan(2000);
    await m.stop();
  });
});
