import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { curlUpload, getJson, waitForJob } from '../harness/http';
import { makeTone, sha256Hex } from '../harness/media';
import { startTestNats, type TestNats } from '../harness/nats';
import { startTestNodes, type TestNodes } from '../harness/nodes';
import { startS3Server, type S3Server } from '../harness/s3-server';
import { tempDir } from '../harness/temp';

/** Three nodes whose long-term stores are s3:// buckets on a real S3-protocol server. */
describe('a 3-node cluster on s3:// storage', () => {
  let s3: S3Server;
  let nats: TestNats;
  let cluster: TestNodes;
  const media = tempDir('s3media');
  const buckets = ['node1-store', 'node2-store', 'node3-store'];

  beforeAll(async () => {
    s3 = await startS3Server({ buckets });
    nats = await startTestNats(1);
    cluster = await startTestNodes(3, nats.urls, { ...(s3.env as Record<string, string>) }, (i) => ({
      storage_driver_url: s3.storeUrl(buckets[i]),
    }));
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
    await nats?.stop();
    await s3?.stop();
    media.remove();
  });

  test("an upload is transcoded, stored in every node's bucket and served by every node", async () => {
    const health = (await getJson(`${cluster.nodes[0].url}/storage/health`)).body;
    expect(health.storage.driver).toBe('s3');
    const { body } = await curlUpload(cluster.nodes[1].url, [makeTone(media.dir, 'song.mp3', 3)], 'audio');
    const job = await waitForJob(cluster.nodes[2].url, body[0].id);
    expect(job.status).toBe('done');
    const result = job.results[0];
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    try {
      for (const bucket of buckets) {
        const object = await client.send(
          new GetObjectCommand({ Bucket: bucket, Key: `0_${job.id.slice(-3)}/${result.name}` }),
        );
        expect(sha256Hex(Buffer.from(await object.Body!.transformToByteArray()))).toBe(result.sha256);
      }
    } finally {
      client.destroy();
    }
    for (const n of cluster.nodes) {
      const res = await fetch(`${n.url}/storage/long-term/file/${result.name}`, {
        headers: { Range: 'bytes=0-99' },
      });
      expect(res.status).toBe(206);
      expect(res.headers.get('etag')).toBe(`"${result.sha256}"`);
      expect((await res.arrayBuffer()).byteLength).toBe(100);
    }
  });
});
