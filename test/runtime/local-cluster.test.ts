import { jetStreamInfo } from '../../shared/local/nats-server';
import { startTestNats, type TestNats } from '../harness/nats';
import { startTestNodes, type TestNodes } from '../harness/nodes';

/**
 * What `npm start` runs, as processes: a 3-server NATS cluster with JetStream and three
 * storage nodes, each answering its health route; stopping leaves no process behind.
 */
describe('a local cluster of 3 NATS servers and 3 storage nodes', () => {
  let nats: TestNats;
  let nodes: TestNodes;

  beforeAll(async () => {
    nats = await startTestNats(3);
    nodes = await startTestNodes(3, nats.urls);
  }, 90_000);

  afterAll(async () => {
    await nodes?.stop();
    await nats?.stop();
  });

  test('the three NATS servers form one JetStream cluster', async () => {
    const views = await Promise.all(nats.servers.map((s) => jetStreamInfo(s)));
    expect(views.map((v) => v.clusterSize)).toEqual([3, 3, 3]);
    expect(new Set(views.map((v) => v.leader)).size).toBe(1);
  });

  test('every node answers GET /storage/health with 200 and its own id', async () => {
    const bodies = await Promise.all(
      nodes.nodes.map(async (n) => {
        const res = await fetch(`${n.url}/storage/health`);
        expect(res.status).toBe(200);
        return (await res.json()) as { nodeId: string; host: string; nats: string };
      }),
    );
    expect(bodies.map((b) => b.host)).toEqual(nodes.nodes.map((n) => n.url));
    expect(new Set(bodies.map((b) => b.nodeId)).size).toBe(3);
    expect(bodies.every((b) => b.nats === 'connected')).toBe(true);
  });

  test('SIGTERM stops every node process cleanly (exit code 0)', async () => {
    await Promise.all(nodes.nodes.map((n) => n.stop()));
    expect(await Promise.all(nodes.nodes.map((n) => n.exited))).toEqual([0, 0, 0]);
    await nats.stop();
    expect(nats.servers.every((s) => s.process.exitCode !== null || s.process.signalCode !== null)).toBe(
      true,
    );
  });
});
