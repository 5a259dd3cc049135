import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { STAGING_PREFIX } from '../../shared/presigned-upload/s3-staging';
import type { SlotAnswer } from '../../shared/presigned-upload/types';
import { curlUpload, getJson, waitForJob } from '../harness/http';
import { sha256Hex } from '../harness/media';
import { startTestNats, type TestNats } from '../harness/nats';
import { startTestNodes, type TestNodes } from '../harness/nodes';
import { startS3Server, type S3Server } from '../harness/s3-server';
import { completeSlot, openSlot, sendToS3 } from '../harness/slot-client';
import { tempDir } from '../harness/temp';

/** The audio file a suite uploads (made in `dir`), its name on disk, and how long to wait for it. */
export interface SlotSuiteFile {
  make(dir: string): string;
  /** Whether the slot must be multipart (the file is larger than one part). */
  multipart: boolean;
  transcodeTimeoutMs: number;
  /** Slot lifetime of the second node, which only serves the expired-slot case: long enough to send the file. */
  shortSlotSeconds: number;
}

/**
 * The presigned upload flow (issue 13) against real parts: nats-server, node processes whose
 * long-term store is a bucket on s3rver, S3 PUTs to the URLs the node presigned. The smoke
 * (npm test) runs it with a small track; `npm run test:presigned` with a 50 MB one.
 */
export function describeSlotFlow(title: string, file: SlotSuiteFile): void {
  describe(title, () => {
    let s3: S3Server;
    let nats: TestNats;
    let cluster: TestNodes;
    let client: S3Client;
    const media = tempDir('slots');
    let bytes: Buffer;
    let fileName: string;
    const bucket = 'slot-store';
    const url = () => cluster.nodes[0].url;

    beforeAll(async () => {
      const made = file.make(media.dir);
      bytes = require('node:fs').readFileSync(made);
      fileName = require('node:path').basename(made);
      s3 = await startS3Server({ buckets: [bucket] });
      nats = await startTestNats(1);
      cluster = await startTestNodes(
        2,
        nats.urls,
        { ...(s3.env as Record<string, string>), storage_driver_url: s3.storeUrl(bucket) },
        (i) => ({
          AUDIUS_REPLICATION_FACTOR: '1',
          AUDIUS_MAX_DIRECT_BODY_MB: '4',
          AUDIUS_UPLOAD_SLOT_SECONDS: i === 1 ? String(file.shortSlotSeconds) : '600',
        }),
      );
      client = new S3Client({
        endpoint: s3.endpoint,
        region: s3.region,
        forcePathStyle: true,
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      });
    }, 120_000);

    afterAll(async () => {
      client?.destroy();
      await cluster?.stop();
      await nats?.stop();
      await s3?.stop();
      media.remove();
    });

    const staged = async (id: string) =>
      client
        .send(new HeadObjectCommand({ Bucket: bucket, Key: `${STAGING_PREFIX}${id}` }))
        .then(() => true)
        .catch((err: Error) => (err.name === 'NotFound' ? false : Promise.reject(err)));

    /** A refused completion leaves no job and no staged bytes. */
    const expectNothingLeft = async (id: string) => {
      expect((await getJson(`${url()}/storage/jobs/${id}`)).body.code).toBe('JOB_NOT_FOUND');
      expect(await staged(id)).toBe(false);
    };

    const sendSlot = async (declared: { size?: number; sha256?: string }, node = url()) => {
      const opened = await openSlot(node, bytes, { template: 'audio', fileName, ...declared });
      expect(opened.status).toBe(201);
      const slot = opened.body as SlotAnswer;
      expect('parts' in slot.upload).toBe(file.multipart);
      const parts = await sendToS3(slot, bytes);
      return { slot, parts };
    };

    test('the node says it is behind a body limit and can hand out slots', async () => {
      const { status, body } = await getJson(`${url()}/storage/upload-config`);
      expect(status).toBe(200);
      expect(body).toEqual({
        max_upload_bytes: 2 * 1024 ** 3,
        max_direct_body_bytes: 4 * 1024 * 1024,
        presigned_uploads: true,
      });
    });

    test(
      'a file sent through a slot is transcoded and stored, with the job POST /storage/file makes',
      async () => {
        const { slot, parts } = await sendSlot({});
        const done = await completeSlot(url(), slot, parts);
        expect(done.status).toBe(200);
        const [job] = done.body;
        expect(job).toMatchObject({ template: 'audio', status: 'pending' });
        expect(job.source_info).toMatchObject({ name: job.id, description: fileName, size: bytes.length });
        expect(await staged(job.id)).toBe(false); // the staged copy goes once the temp store has it
        const direct = file.multipart
          ? null
          : await curlUpload(url(), [require('node:path').join(media.dir, fileName)], 'audio');
        if (direct) {
          expect(direct.status).toBe(200);
          expect(Object.keys(job).sort()).toEqual(Object.keys(direct.body[0]).sort());
          expect(job.source_info.digest).toBe(direct.body[0].source_info.digest);
        }
        const finished = await waitForJob(url(), job.id, file.transcodeTimeoutMs);
        expect(finished.status).toBe('done');
        const mp3 = finished.results.find((r: { name: string }) => r.name === `${job.id}_320.mp3`);
        const res = await fetch(`${url()}/storage/long-term/file/${mp3.name}`);
        expect(res.status).toBe(200);
        expect(sha256Hex(Buffer.from(await res.arrayBuffer()))).toBe(mp3.sha256);
        // Single use: the same slot cannot make a second job.
        const again = await completeSlot(url(), slot, parts);
        expect(again.status).toBe(409);
        expect(again.body.code).toBe('UPLOAD_SLOT_USED');
      },
      file.transcodeTimeoutMs + 60_000,
    );

    test('an object of another size than declared is refused and leaves nothing', async () => {
      // The declared size is one byte more; the parts are cut by it, so S3 holds one byte less.
      const { slot, parts } = await sendSlot({ size: bytes.length + 1 });
      const answer = await completeSlot(url(), slot, parts);
      expect(answer.status).toBe(422);
      expect(answer.body.code).toBe('UPLOAD_SIZE_MISMATCH');
      await expectNothingLeft(slot.id);
    });

    test(
      'an object whose sha256 is not the declared one is refused and leaves nothing',
      async () => {
        const { slot, parts } = await sendSlot({ sha256: sha256Hex(Buffer.from('other bytes')) });
        const answer = await completeSlot(url(), slot, parts);
        expect(answer.status).toBe(422);
        expect(answer.body.code).toBe('UPLOAD_SHA256_MISMATCH');
        await expectNothingLeft(slot.id);
        const reused = await completeSlot(url(), slot, parts);
        expect(reused.body.code).toBe('UPLOAD_SLOT_USED');
        await expectNothingLeft(slot.id);
      },
      file.transcodeTimeoutMs,
    );

    test('a slot completed after it expired is refused and leaves nothing', async () => {
      const { slot, parts } = await sendSlot({}, cluster.nodes[1].url);
      const expiresAt = Date.parse(slot.expires_at);
      while (Date.now() <= expiresAt) await new Promise((r) => setTimeout(r, expiresAt - Date.now() + 5));
      const answer = await completeSlot(cluster.nodes[1].url, slot, parts);
      expect(answer.status).toBe(410);
      expect(answer.body.code).toBe('UPLOAD_SLOT_EXPIRED');
      await expectNothingLeft(slot.id);
    });

    test('a completion sent before the bytes landed hands the slot back: completed again, it makes the job', async () => {
      const opened = await openSlot(url(), bytes, { template: 'audio', fileName });
      const slot = opened.body as SlotAnswer;
      const early = await completeSlot(url(), slot, []);
      expect([early.status, early.body.code]).toEqual(
        file.multipart ? [400, 'UPLOAD_SLOT_BAD_PARTS'] : [409, 'UPLOAD_SLOT_EMPTY'],
      );
      const parts = await sendToS3(slot, bytes);
      const done = await completeSlot(url(), slot, parts);
      expect(done.status).toBe(200);
      expect(done.body[0]).toMatchObject({ id: slot.id, template: 'audio' });
      expect(await staged(slot.id)).toBe(false);
    });

    test('a wrong token finds no slot', async () => {
      const { slot, parts } = await sendSlot({});
      const answer = await completeSlot(url(), slot, parts, 'not-the-token');
      expect(answer.status).toBe(404);
      expect(answer.body.code).toBe('UPLOAD_SLOT_NOT_FOUND');
      expect((await getJson(`${url()}/storage/jobs/${slot.id}`)).body.code).toBe('JOB_NOT_FOUND');
    });
  });
}
