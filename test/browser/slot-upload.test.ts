import type { Browser, Page } from 'playwright-core';
import { getJson, waitForJob } from '../harness/http';
import { makeTone, sha256Hex } from '../harness/media';
import { startTestNats, type TestNats } from '../harness/nats';
import { startTestNodes, type TestNodes } from '../harness/nodes';
import { startS3Server, type S3Server } from '../harness/s3-server';
import { tempDir } from '../harness/temp';
import { launchChromium, recordErrors, recordRequests, waitForText } from './browser';

/**
 * The dashboard behind a body limit (a Lambda deployment): a file larger than the limit goes
 * through a presigned slot, its bytes straight from the browser to the bucket (s3rver with
 * the CORS rule the README asks operators for), and ends as the same job a direct upload makes.
 */
describe('dashboard upload through a presigned slot', () => {
  let s3: S3Server;
  let nats: TestNats;
  let cluster: TestNodes;
  let browser: Browser;
  let page: Page;
  const media = tempDir('slot-browser');
  const bucket = 'dashboard-slots';

  beforeAll(async () => {
    s3 = await startS3Server({ buckets: [bucket], cors: true });
    nats = await startTestNats(1);
    [cluster, browser] = await Promise.all([
      startTestNodes(1, nats.urls, {
        ...(s3.env as Record<string, string>),
        storage_driver_url: s3.storeUrl(bucket),
        AUDIUS_REPLICATION_FACTOR: '1',
        AUDIUS_MAX_DIRECT_BODY_MB: '1',
      }),
      launchChromium(),
    ]);
    page = await (await browser.newContext()).newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
    await nats?.stop();
    await s3?.stop();
    media.remove();
  });

  test('a file past the body limit is PUT to S3 by the page and becomes a done job with its sha256', async () => {
    // 10 s of stereo PCM: 1.8 MB, past the 1 MB limit the node reports.
    const tone = makeTone(media.dir, 'slot-tone.wav', 10, ['-ac', '2']);
    const requests = recordRequests(page);
    const errors = recordErrors(page);
    const base = cluster.nodes[0].url;
    const config = await getJson(`${base}/storage/upload-config`);
    expect(config.body).toEqual(
      expect.objectContaining({ max_direct_body_bytes: 1024 * 1024, presigned_uploads: true }),
    );

    await page.goto(`${base}/storage`);
    await page.setInputFiles('#files', tone);
    await page.selectOption('#template', 'audio');
    await page.click('#upload-button');
    await waitForText(page.locator('#upload-text'), /^Uploaded 1 file: slot-tone\.wav$/, 60_000).catch(
      async (err: Error) => {
        const shown = await page.locator('#upload-error').innerText();
        throw new Error(
          `${err.message}; page error: ${shown}; requests: ${requests.join(' ')}; ${errors.join(' ')}`,
        );
      },
    );
    expect(errors).toEqual([]);

    const paths = requests
      .map((u) => new URL(u))
      .map((u) => `${u.origin === s3.endpoint ? 's3' : 'node'} ${u.pathname}`);
    expect(paths).toContainEqual('node /storage/upload-slots');
    expect(paths.some((p) => p.startsWith(`s3 /${bucket}/`))).toBe(true);
    expect(paths.filter((p) => p === 'node /storage/file')).toEqual([]);

    const row = page.locator('tbody.job', { hasText: 'slot-tone.wav' });
    const id = (await row.getAttribute('data-job-id')) as string;
    const job = await waitForJob(base, id, 90_000);
    expect(job).toEqual(expect.objectContaining({ status: 'done', template: 'audio' }));
    const original = job.results.find((r: { name: string }) => r.name.endsWith('_original.wav'));
    expect(original?.sha256).toBe(sha256Hex(tone));
  }, 180_000);
});
