import { createLogger } from '../../shared/log';
import { loadManifest } from '../../shared/runtime/manifest';
import { startNode, type RunningNode } from '../../shared/runtime/node';
import { handler as healthLambda } from '../../functions/http/health';
import { testConfig } from '../harness/config';
import { httpApiEvent, lambdaContext } from '../harness/lambda';
import { startTestNats, type TestNats } from '../harness/nats';
import { tempDir } from '../harness/temp';

/** The self-hosted runtime serves serverless.yml's HTTP functions; the Lambda export answers the same. */
describe('HTTP functions', () => {
  let nats: TestNats;
  let node: RunningNode;
  const temp = tempDir('http');

  beforeAll(async () => {
    nats = await startTestNats(1);
    node = await startNode(testConfig(nats.urls, temp.dir), loadManifest(), createLogger('test', 'silent'));
  });

  afterAll(async () => {
    await node?.stop();
    await nats?.stop();
    temp.remove();
  });

  test('GET /storage/health reaches the health function: 200 with the node identity', async () => {
    const res = await fetch(`${node.url}/storage/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { nodeId: string };
    expect(body).toEqual({
      healthy: true,
      nodeId: node.services.identity.address,
      host: node.services.config.host,
      version: node.services.config.version,
      nats: 'connected',
      storage: { driver: 'file', url: expect.stringContaining('file://') },
      store: { ok: true, reason: null, freeBytes: expect.any(Number), checkedAt: expect.any(String) },
      problems: [],
      uptimeSeconds: expect.any(Number),
      access: {
        reads: 'open (no read needs a signature)',
        uploads: 'open',
        delistRefreshedAt: expect.any(String), // the node follows the delist set from its start
      },
      // A fresh node: no repair pass has ended yet (the first comes one debounce after start).
      repair: {
        running: expect.any(Boolean),
        lastPassAt: null,
        lastPassSeconds: null,
        lastPassRequests: null,
        underReplicated: 0,
        lost: 0,
        pulling: 0,
        pulled: 0,
        deleted: 0,
        quarantined: 0,
        trimBlocked: null,
        lastScrubAt: null,
        lastScrubSeconds: null,
      },
    });
    expect(body.nodeId).toMatch(/^0x[0-9a-f]{40}$/);
  });

  test('an unknown route is a JSON 404 with a stable code', async () => {
    const res = await fetch(`${node.url}/storage/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      statusCode: 404,
      code: 'ROUTE_NOT_FOUND',
      error: 'Not Found',
      message: 'No route GET /storage/nope',
    });
  });

  test('the health function invoked directly as a Lambda (event, context) answers like HTTP', async () => {
    const overHttp = (await (await fetch(`${node.url}/storage/health`)).json()) as object;
    const result = (await healthLambda(httpApiEvent('GET', '/storage/health'), lambdaContext('health'))) as {
      statusCode: number;
      headers: Record<string, string>;
      body: string;
    };
    expect(result.statusCode).toBe(200);
    expect(result.headers['content-type']).toMatch(/application\/json/);
    const body = JSON.parse(result.body);
    // Each side probed the store itself, at its own time and free space.
    const steady = (b: { store: object }) => ({
      ...b,
      uptimeSeconds: 0,
      store: { ...b.store, checkedAt: '', freeBytes: 0 },
    });
    expect(steady(body)).toEqual(steady(overHttp as { store: object }));
  });

  test('GET /storage/metrics is Prometheus text counting the requests served', async () => {
    await fetch(`${node.url}/storage/health`);
    const res = await fetch(`${node.url}/storage/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0.0.4/);
    const text = await res.text();
    const served =
      /storage_http_requests_total\{method="GET",route="\/storage\/health",status="200"\} (\d+)/.exec(text);
    expect(Number(served?.[1])).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^storage_healthy_members 1$/m);
  });

  test('health is 503 while NATS is unreachable', async () => {
    await nats.stop();
    const end = Date.now() + 10_000;
    let res = await fetch(`${node.url}/storage/health`);
    while (res.status !== 503 && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 100));
      res = await fetch(`${node.url}/storage/health`);
    }
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ healthy: false, nats: 'disconnected' });
  });
});
