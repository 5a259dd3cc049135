import { Readable } from 'node:stream';
import { handler as sweep } from '../../functions/tasks/requeue-stale';
import { STALE_AFTER_MS, type RequeueReport } from '../../shared/jobs/requeue-stale';
import { JOB_STATUS, type Job } from '../../shared/jobs/types';
import { newId } from '../../shared/jobs/ids';
import { createLogger } from '../../shared/log';
import { STREAMS } from '../../shared/nats/names';
import { putTempObject } from '../../shared/nats/temp-objects';
import type { Services } from '../../shared/runtime/services';
import { startInProcessServices, type InProcessServices } from '../harness/services';

/**
 * The scheduled sweeper, invoked as a function: a pending job whose work message was never
 * published (its node died in between) is published again — once, whatever the number of
 * sweeps — and one older than the temp store's lifetime ends in error.
 */
describe('stale-job sweeper', () => {
  let node: InProcessServices;
  let s: Services;
  const context = {
    functionName: 'requeueStale',
    signal: new AbortController().signal,
    log: createLogger('t', 'silent'),
  };
  const run = async () =>
    (await sweep({ source: 'schedule', time: new Date().toISOString() }, context)) as RequeueReport;
  const queued = async () => (await s.nats.jsm.streams.info(STREAMS.JOBS.name)).state.messages;

  /** A job record as the upload handler writes it, `ageMs` old, whose work message was never sent. */
  const orphan = async (ageMs: number): Promise<Job> => {
    const id = newId(Date.now() - ageMs);
    const { info, sha256 } = await putTempObject(
      s.nats,
      'temp_0',
      { name: id },
      Readable.from([Buffer.from('ID3 not really')]),
    );
    const job: Job = {
      id,
      template: 'audio',
      status: JOB_STATUS.pending,
      created_at: new Date(Date.now() - ageMs).toISOString(),
      transcode_progress: 0,
      source_info: { ...info, description: 'x.mp3', options: { max_chunk_size: 131072 }, bucket: 'temp_0' },
      source_sha256: sha256,
      upload_node: s.identity.address,
      attempts: 0,
      results: [],
      options: {},
    };
    await s.jobs.create(job);
    return job;
  };

  beforeAll(async () => {
    node = await startInProcessServices('sweep');
    s = node.services;
  });

  afterAll(() => node?.stop());

  test('a stale orphan is published again, exactly once over repeated sweeps; a fresh one is left alone', async () => {
    const stale = await orphan(STALE_AFTER_MS + 60_000);
    const fresh = await orphan(1000);
    const before = await queued();
    expect(await run()).toEqual({ requeued: [stale.id], stillQueued: 0, expired: [], settled: [] });
    expect(await queued()).toBe(before + 1);
    expect(await run()).toEqual({ requeued: [], stillQueued: 1, expired: [], settled: [] });
    expect(await queued()).toBe(before + 1);
    expect((await s.jobs.require(fresh.id)).status).toBe('pending');
  });

  test('a job older than the temp store keeps uploads ends in error with the reason', async () => {
    const old = await orphan(25 * 3600 * 1000);
    const report = await run();
    expect(report.expired).toEqual([old.id]);
    const job = await s.jobs.require(old.id);
    expect(job.status).toBe('error');
    expect(job.error).toMatch(/expired from the temp store/);
  });
});
