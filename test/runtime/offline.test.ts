import { randomKey } from '../harness/config';
import { curlUpload, waitForJob } from '../harness/http';
import { makeTone, sha256Hex } from '../harness/media';
import { startTestNats, type TestNats } from '../harness/nats';
import { startOffline, type Offline } from '../harness/offline';
import { tempDir } from '../harness/temp';

/** `npm run offline`: serverless-offline (through osls) serves the same HTTP functions. */
describe('serverless-offline', () => {
  let nats: TestNats;
  let offline: Offline;
  let port: number;
  const temp = tempDir('offline');

  beforeAll(async () => {
    nats = await startTestNats(1);
    offline = await startOffline({
      env: {
        ...process.env,
        NATS_SERVER_URL: nats.urls.join(','),
        storage_driver_url: `file://${temp.dir}/blobs`,
        AUDIUS_DATA_DIR: `${temp.dir}/data`,
        AUDIUS_DELEGATE_PRIVATE_KEY: randomKey(),
        AUDIUS_TEMP_BUCKETS: '1',
        AUDIUS_GATED_VARIANTS: 'none',
        AUDIUS_UPLOAD_MODE: 'open',
      },
      readyPath: '/storage/health',
    });
    port = Number(new URL(offline.url).port);
  }, 90_000);

  afterAll(async () => {
    await offline?.stop();
    await nats?.stop();
    temp.remove();
  });

  test('GET /storage/health answers 200 JSON through serverless-offline', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/storage/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      healthy: true,
      nats: 'connected',
      nodeId: expect.stringMatching(/^0x[0-9a-f]{40}$/),
    });
  });

  test('the local plugin started the NATS consumer shims in the offline process', () => {
    expect(offline.output.join('\n')).toContain('NATS consumer shims started');
  });

  test('an upload through the Lambda path is transcoded and stored by the offline shims', async () => {
    const base = `http://127.0.0.1:${port}`;
    const { status, body } = await curlUpload(base, [makeTone(temp.dir, 'offline.mp3', 2)], 'audio');
    expect(status).toBe(200);
    const job = await waitForJob(base, body[0].id, 60_000);
    expect(job.status).toBe('done');
    const res = await fetch(`${base}/storage/long-term/file/${job.results[0].name}`);
    expect(res.status).toBe(200);
    expect(sha256Hex(Buffer.from(await res.arrayBuffer()))).toBe(job.results[0].sha256);
  }, 90_000);
});
