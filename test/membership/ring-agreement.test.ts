import { getJson } from '../harness/http';
import { startTestNats, type TestNats } from '../harness/nats';
import { startTestNodes, type TestNodes } from '../harness/nodes';

const TTL_SECONDS = 4;
/** The README's bound: a silent node drops out within its health TTL plus one check (1 s). */
const DROP_BOUND_MS = (TTL_SECONDS + 1) * 1000;

/** Membership on real NATS: nodes agree on the ring, lose a dead node in bounded time, and take it back. */
describe('membership and ring agreement', () => {
  let nats: TestNats;
  let cluster: TestNodes;
  let ids: string[];

  beforeAll(async () => {
    nats = await startTestNats(1);
    cluster = await startTestNodes(3, nats.urls, {
      AUDIUS_HEARTBEAT_SECONDS: '1',
      AUDIUS_HEALTH_TTL_SECONDS: String(TTL_SECONDS),
    });
    ids = await Promise.all(
      cluster.nodes.map(async (n) => (await getJson(`${n.url}/storage/health`)).body.nodeId),
    );
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
    await nats?.stop();
  });

  /** Each live node's ring: its members and fingerprint. */
  const rings = async (indexes: number[]) =>
    Promise.all(
      indexes.map(async (i) => {
        const { body } = await getJson(`${cluster.nodes[i].url}/storage/ring`);
        return {
          nodes: body.nodes.map((n: any) => n.id).sort(),
          fingerprint: body.fingerprint as string,
          owners: body.owners,
        };
      }),
    );

  const waitAgree = async (indexes: number[], members: string[], timeoutMs: number) => {
    const started = Date.now();
    for (;;) {
      const views = await rings(indexes);
      const agree = views.every((v) => JSON.stringify(v.nodes) === JSON.stringify([...members].sort()));
      if (agree && new Set(views.map((v) => v.fingerprint)).size === 1)
        return { views, ms: Date.now() - started };
      if (Date.now() - started > timeoutMs)
        throw new Error(`no agreement after ${timeoutMs} ms: ${JSON.stringify(views.map((v) => v.nodes))}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  test('all three nodes derive the same ring', async () => {
    const { views } = await waitAgree([0, 1, 2], ids, 10_000);
    expect(views[0].owners).toBe(views[1].owners);
    expect(views[1].owners).toBe(views[2].owners);
  });

  test("a killed node drops out of the others' rings within the stated bound, and they agree", async () => {
    await cluster.nodes[2].kill();
    const { ms, views } = await waitAgree([0, 1], [ids[0], ids[1]], DROP_BOUND_MS + 2000);
    expect(ms).toBeLessThanOrEqual(DROP_BOUND_MS + 500);
    expect(views[0].owners).toBe(views[1].owners);
    // The placement route agrees with the ring: only live nodes own anything.
    const { body } = await getJson(`${cluster.nodes[0].url}/storage/placement/abc`);
    expect(body.owners.map((o: any) => o.nodeId).sort()).toEqual([ids[0], ids[1]].sort());
    // And the history on each survivor records the departure.
    const { body: nodes } = await getJson(`${cluster.nodes[1].url}/storage/nodes`);
    expect(nodes.changes.at(-1).left).toEqual([ids[2]]);
  });

  test('restarted with the same identity, it rejoins and all three agree again', async () => {
    const node = await cluster.restart(2);
    expect((await getJson(`${node.url}/storage/health`)).body.nodeId).toBe(ids[2]);
    await waitAgree([0, 1, 2], ids, 10_000);
  });

  test('a cleanly stopped node leaves at once (it says so before it goes)', async () => {
    const started = Date.now();
    await cluster.nodes[1].stop();
    await waitAgree([0, 2], [ids[0], ids[2]], 3000);
    expect(Date.now() - started).toBeLessThan(TTL_SECONDS * 1000);
  });
});
