import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { identityFromHex, publicKeyHex } from '../../shared/identity/wallet';
import { signRecord } from '../../shared/membership/signed-record';
import type { NodeRecord } from '../../shared/membership/types';
import { BUCKETS } from '../../shared/nats/names';
import { randomKey } from '../harness/config';
import { getJson } from '../harness/http';
import { startTestNats, type TestNats } from '../harness/nats';
import { startTestNodes, type TestNodes } from '../harness/nodes';

/**
 * Issue 15: anyone who can write to KV `nodes` used to be able to join with any weight,
 * impersonate a node (and plant a `host` peers redirect to and fetch from), or knock a node
 * out of the ring. Records are now signed by their node's key and checked on read.
 */
describe('forged membership records are ignored', () => {
  let nats: TestNats;
  let cluster: TestNodes;
  let nc: NatsConnection;
  let kv: KV;
  let ids: string[];
  const attacker = identityFromHex(randomKey());

  beforeAll(async () => {
    nats = await startTestNats(1);
    cluster = await startTestNodes(2, nats.urls, {
      AUDIUS_HEARTBEAT_SECONDS: '1',
      AUDIUS_HEALTH_TTL_SECONDS: '4',
    });
    ids = await Promise.all(
      cluster.nodes.map(async (n) => (await getJson(`${n.url}/storage/health`)).body.nodeId as string),
    );
    nc = await connect({ servers: nats.urls });
    kv = await new Kvm(jetstream(nc)).open(BUCKETS.nodes);
    await waitFor(async () => (await healthyIds(0)).length === 2, 'both nodes see each other');
  }, 60_000);

  afterAll(async () => {
    await nc?.close();
    await cluster?.stop();
    await nats?.stop();
  });

  const healthyIds = async (i: number): Promise<string[]> => {
    const { body } = await getJson(`${cluster.nodes[i].url}/storage/nodes`);
    return body.nodes
      .filter((n: any) => n.healthy)
      .map((n: any) => n.nodeId as string)
      .sort();
  };

  /** storage_membership_records_rejected_total{reason} on node i. */
  const rejected = async (i: number, reason: string): Promise<number> => {
    const text = await (await fetch(`${cluster.nodes[i].url}/storage/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith(`storage_membership_records_rejected_total{reason="${reason}"}`));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };

  /** Node i's current record, without its signature. */
  /** Node i's current record, without its signature. */
  const real = async (i: number): Promise<NodeRecord> => {
    const record = JSON.parse(new TextDecoder().decode((await kv.get(ids[i]))!.value)) as Record<
      string,
      unknown
    >;
    delete record.signature;
    return record as unknown as NodeRecord;
  };

  test('an unsigned record with a huge weight does not join the ring', async () => {
    const fake = identityFromHex(randomKey());
    const before = await rejected(0, 'unsigned');
    await kv.put(fake.address, JSON.stringify({ ...(await real(1)), nodeId: fake.address, weight: 1e6 }));
    await waitFor(async () => (await rejected(0, 'unsigned')) > before, 'node 1 counts the unsigned record');
    expect(await healthyIds(0)).toEqual([...ids].sort());
    const { body } = await getJson(`${cluster.nodes[0].url}/storage/nodes`);
    expect(body.nodes.map((n: any) => n.nodeId)).not.toContain(fake.address);
  });

  test("another key's record under a live node's id cannot move its host (no redirect or SSRF target)", async () => {
    const before = await rejected(0, 'wrong_key');
    const forged = { ...(await real(1)), host: 'http://169.254.169.254', lastOk: new Date().toISOString() };
    await kv.put(ids[1], signRecord(attacker, forged));
    await waitFor(async () => (await rejected(0, 'wrong_key')) > before, 'node 1 counts the forged record');
    const { body } = await getJson(`${cluster.nodes[0].url}/storage/nodes`);
    const seen = body.nodes.find((n: any) => n.nodeId === ids[1]);
    expect(seen.host).toBe(cluster.nodes[1].url);
    expect(seen.healthy).toBe(true);
  });

  test('an unsigned "leaving" record and a delete of the key do not take a live node out', async () => {
    const before = await rejected(0, 'unsigned');
    await kv.put(ids[1], JSON.stringify({ ...(await real(1)), leaving: true }));
    await kv.delete(ids[1]);
    await waitFor(async () => (await rejected(0, 'unsigned')) > before, 'node 1 counts the record');
    // The delete came after: once node 2's next heartbeat is in, the view must be unchanged,
    // and it must never have changed in between (the membership history records every change).
    const { body } = await getJson(`${cluster.nodes[0].url}/storage/nodes`);
    await waitFor(async () => {
      const entry = await kv.get(ids[1]);
      return entry?.operation === 'PUT';
    }, 'node 2 heartbeats again');
    expect(await healthyIds(0)).toEqual([...ids].sort());
    const after = await getJson(`${cluster.nodes[0].url}/storage/nodes`);
    expect(after.body.changes).toEqual(body.changes);
    expect(body.changes.flatMap((c: any) => c.left)).toEqual([]);
  });

  test("a node's own signed record replayed later is refused as stale", async () => {
    const old = (await kv.get(ids[1]))!.value;
    const oldLastOk = Date.parse((JSON.parse(new TextDecoder().decode(old)) as NodeRecord).lastOk);
    await waitFor(async () => Date.parse((await real(1)).lastOk) > oldLastOk, 'a newer heartbeat');
    const before = await rejected(0, 'stale');
    await kv.put(ids[1], old);
    await waitFor(async () => (await rejected(0, 'stale')) > before, 'node 1 counts the replay');
  });

  test('a record signed by its own key but with a bad host is refused', async () => {
    const rogue = identityFromHex(randomKey());
    const before = await rejected(0, 'bad_host');
    const record: NodeRecord = {
      ...(await real(1)),
      nodeId: rogue.address,
      publicKey: publicKeyHex(rogue),
      host: 'http://admin:secret@10.0.0.1:9924',
      lastOk: new Date().toISOString(),
    };
    await kv.put(rogue.address, signRecord(rogue, record));
    await waitFor(async () => (await rejected(0, 'bad_host')) > before, 'node 1 counts the bad host');
    expect(await healthyIds(0)).toEqual([...ids].sort());
  });
});

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
