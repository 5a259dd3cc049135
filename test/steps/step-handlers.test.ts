import fs from 'node:fs';
import sharp from 'sharp';
import { handler as audioStep } from '../../functions/transcode/audio';
import { handler as squareStep } from '../../functions/transcode/img-square';
import { handler as storeStep } from '../../functions/tasks/store-results';
import type { Services } from '../../shared/runtime/services';
import { startInProcessServices, type InProcessServices } from '../harness/services';
import { jobEvent, stepContext, uploadInProcess } from '../harness/steps';
import { makeTone, sha256Hex } from '../harness/media';

/** Each step is a function: event in, result out — invoked here without the runtime. */
describe('transcode and storer steps invoked directly', () => {
  let node: InProcessServices;
  let s: Services;
  const context = stepContext;
  const event = (id: string, attempt = 1) => jobEvent('jobs.test', id, attempt);

  const upload = (name: string, bytes: Buffer, template: string) => uploadInProcess(s, name, bytes, template);

  beforeAll(async () => {
    node = await startInProcessServices('steps');
    s = node.services;
  });

  afterAll(() => node?.stop());

  test('audio: the step transcodes to MP3 320k + preview in the temp store; the storer makes it done', async () => {
    const source = makeTone(node.dir, 'song.flac', 3);
    const job = await upload('song.flac', fs.readFileSync(source), 'audio');

    const transcoded = await audioStep(event(job.id), context());
    expect(transcoded).toMatchObject({
      id: job.id,
      status: 'in_progress',
      stage: 'storing',
      transcode_progress: 1,
    });
    expect(transcoded.results.map((r: any) => [r.name, r.content_type])).toEqual([
      [`${job.id}_320.mp3`, 'audio/mpeg'],
      [`${job.id}_preview.mp3`, 'audio/mpeg'],
      [`${job.id}_original.flac`, 'audio/flac'], // AUDIUS_KEEP_ORIGINALS (default on)
    ]);
    expect(Math.abs(transcoded.results[0].duration! - 3)).toBeLessThan(0.05);

    // A single-node ring: this node owns every shard, so storing completes the job.
    expect(await storeStep(event(job.id), context())).toBe('done');
    const done = await s.jobs.require(job.id);
    expect(done.status).toBe('done');
    const stored = await s.blob.get(`0_${job.id.slice(-3)}/${job.id}_320.mp3`);
    const chunks: Buffer[] = [];
    for await (const c of stored!.body) chunks.push(c as Buffer);
    expect(sha256Hex(Buffer.concat(chunks))).toBe(done.results[0].sha256);

    // A redelivery after completion changes nothing (never transcoded twice).
    expect(await audioStep(event(job.id, 2), context())).toEqual(done);
  });

  test('img_square: three square JPEGs with their pixel sizes recorded', async () => {
    const png = await sharp({
      create: { width: 300, height: 200, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 0.5 } },
    })
      .png()
      .toBuffer();
    const job = await upload('cover.png', png, 'img_square');
    const transcoded = await squareStep(event(job.id), context());
    expect(transcoded.results.map((r: any) => [r.name, r.width, r.height])).toEqual([
      [`${job.id}_150.jpg`, 150, 150],
      [`${job.id}_480.jpg`, 480, 480],
      [`${job.id}_1000.jpg`, 1000, 1000],
      [`${job.id}_original.png`, undefined, undefined],
    ]);
  });

  test('a corrupt source fails permanently and leaves the job in error with the reason', async () => {
    const wav = fs.readFileSync(makeTone(node.dir, 'x.wav', 1));
    const corrupt = Buffer.concat([wav.subarray(0, 12), Buffer.alloc(2000, 0xff)]);
    const job = await upload('x.wav', corrupt, 'audio');
    await expect(audioStep(event(job.id), context())).rejects.toMatchObject({
      code: 'TRANSCODE_FAILED',
      permanent: true,
    });
    const failed = await s.jobs.require(job.id);
    expect(failed.status).toBe('error');
    expect(failed.error).toEqual(expect.stringMatching(/\w+/));
    expect(failed.results).toEqual([]);
  });

  test('a delivery past the last attempt (the last worker was lost) ends the job in error, untranscoded', async () => {
    const job = await upload('lost.flac', fs.readFileSync(makeTone(node.dir, 'lost.flac', 1)), 'audio');
    const settled = await audioStep(event(job.id, 4), context());
    expect(settled).toMatchObject({ status: 'error', results: [] });
    expect(settled.error).toMatch(/gave up after 3 attempts/);
  });

  test('an unknown job id is a permanent JOB_NOT_FOUND', async () => {
    await expect(audioStep(event('cle4h8b1g000101q8l4tz2mkx'), context())).rejects.toMatchObject({
      code: 'JOB_NOT_FOUND',
      permanent: true,
    });
  });
});
