import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { startBridgeProcess, type BridgeProcess } from '../harness/bridge';
import { randomKey } from '../harness/config';
import { curlUpload, waitForJob } from '../harness/http';
import { makeTone, sha256Hex } from '../harness/media';
import { startTestNats, type TestNats } from '../harness/nats';
import { startTestNodes, type TestNodes } from '../harness/nodes';
import { startOffline, type Offline } from '../harness/offline';
import { startS3Server, type S3Server } from '../harness/s3-server';
import { uploadThroughSlot } from '../harness/slot-client';
import { tempDir } from '../harness/temp';

/**
 * Issue 13: upload → transcode → store → read with every function run through its Lambda
 * handler — HTTP through serverless-offline, the NATS-triggered steps and the storer invoked by
 * the bridge with the real AWS SDK `Invoke` on serverless-offline's Lambda endpoint, the long-term
 * store an S3 bucket on s3rver. The MP3 is compared byte for byte with what a self-hosted node
 * (same ffmpeg on PATH, its own NATS and bucket) makes of the same file.
 * `npm run test:lambda-path` (a few minutes on two loaded cores).
 */
describe('the Lambda path end to end', () => {
  let s3: S3Server;
  let nats: TestNats;
  let otherNats: TestNats;
  let offline: Offline;
  let bridge: BridgeProcess | undefined;
  let selfHosted: TestNodes;
  const temp = tempDir('lambda-path');
  let track: string;

  beforeAll(async () => {
    track = makeTone(temp.dir, 'lambda-path.mp3', 3);
    s3 = await startS3Server({ buckets: ['lambda-store', 'self-store'] });
    nats = await startTestNats(1);
    otherNats = await startTestNats(1);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...s3.env,
      NATS_SERVER_URL: nats.urls.join(','),
      storage_driver_url: s3.storeUrl('lambda-store'),
      AUDIUS_DATA_DIR: `${temp.dir}/data`,
      AUDIUS_DELEGATE_PRIVATE_KEY: randomKey(),
      AUDIUS_TEMP_BUCKETS: '1',
      AUDIUS_REPLICATION_FACTOR: '1',
      AUDIUS_GATED_VARIANTS: 'none',
      AUDIUS_UPLOAD_MODE: 'open',
      // The local `nats` plugin leaves the NATS events to the bridge, as on AWS.
      AUDIUS_STEP_INVOKER: 'lambda',
    };
    offline = await startOffline({ env, readyPath: '/storage/health' });
    // The bridge is the node's member (its heartbeat puts the node in the ring), as on AWS.
    bridge = await startBridgeProcess({
      env: {
        ...env,
        AUDIUS_LAMBDA_ENDPOINT: offline.lambdaEndpoint,
        AUDIUS_LAMBDA_PREFIX: 'storage-v2-dev-',
      },
    });
    selfHosted = await startTestNodes(1, otherNats.urls, {
      ...(s3.env as Record<string, string>),
      storage_driver_url: s3.storeUrl('self-store'),
      AUDIUS_REPLICATION_FACTOR: '1',
    });
  }, 300_000);

  afterAll(async () => {
    await bridge?.child.stop(10_000);
    await offline?.stop();
    await selfHosted?.stop();
    await nats?.stop();
    await otherNats?.stop();
    await s3?.stop();
    temp.remove();
  });

  const explain = (err: Error): never => {
    throw new Error(
      `${err.message}\nbridge:\n${bridge?.output.slice(-20).join('\n')}\noffline:\n${offline?.output.slice(-20).join('\n')}`,
    );
  };

  /** The job's MP3 as the read route serves it, checked against the job's digest. */
  async function readMp3(base: string, id: string): Promise<Buffer> {
    const job = await waitForJob(base, id, 180_000).catch(explain);
    expect(job.status).toBe('done');
    const mp3 = job.results.find((r: { name: string }) => r.name === `${id}_320.mp3`);
    const res = await fetch(`${base}/storage/long-term/file/${mp3.name}`);
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(sha256Hex(bytes)).toBe(mp3.sha256);
    return bytes;
  }

  test('POST /storage/file → bridge-invoked transcode and storer → read: the MP3 is the self-hosted one', async () => {
    const lambda = await curlUpload(offline.url, [track], 'audio');
    expect(lambda.status).toBe(200);
    const direct = await curlUpload(selfHosted.nodes[0].url, [track], 'audio');
    expect(direct.status).toBe(200);
    const [viaLambda, viaNode] = await Promise.all([
      readMp3(offline.url, lambda.body[0].id),
      readMp3(selfHosted.nodes[0].url, direct.body[0].id),
    ]);
    expect(sha256Hex(viaLambda)).toBe(sha256Hex(viaNode));
    // And it is what the plan promises: MP3, 320 kbps CBR, the track's length.
    const file = `${temp.dir}/via-lambda.mp3`;
    fs.writeFileSync(file, viaLambda);
    const probe = JSON.parse(
      execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', file], {
        encoding: 'utf8',
      }),
    );
    expect(probe.streams[0]).toMatchObject({ codec_name: 'mp3', bit_rate: '320000' });
    expect(Number(probe.format.duration)).toBeCloseTo(3, 0);
    // The invocations went through the bridge: it logged each function it invoked.
    const said = bridge!.output.join('\n');
    expect(said).toContain('transcodeAudio');
    expect(said).toContain('storeResults');
  }, 420_000);

  test('a presigned slot through the Lambda functions ends in the same stored MP3', async () => {
    const bytes = fs.readFileSync(track);
    const done = await uploadThroughSlot(offline.url, bytes, { template: 'audio', fileName: 'slot.mp3' });
    expect(done.status).toBe(200);
    const mp3 = await readMp3(offline.url, done.body[0].id);
    expect(mp3.length).toBeGreaterThan(100_000); // 3 s at 320 kbps ≈ 120 kB
  }, 300_000);
});
