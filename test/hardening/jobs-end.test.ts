import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { handler as audioStep } from '../../functions/transcode/audio';
import { handler as storeStep } from '../../functions/tasks/store-results';
import { identityFromHex } from '../../shared/identity/wallet';
import { requeueStaleJobs } from '../../shared/jobs/requeue-stale';
import { STORE_STALL_MS, TRANSCODE_STALL_MS } from '../../shared/jobs/settle-stalled';
import { tempResultName } from '../../shared/jobs/temp-names';
import { ABANDON_GRACE_MS } from '../../shared/jobs/step-deadline';
import type { JobDeps } from '../../shared/jobs/deps';
import { heartbeatWhileRunning, waitForLiveWorker, WORKER_HEARTBEAT_MS } from '../../shared/jobs/live-worker';
import type { Membership } from '../../shared/membership/membership';
import { StorageError } from '../../shared/errors';
import { runTranscodeStep } from '../../shared/jobs/transcode-step';
import type { Job } from '../../shared/jobs/types';
import { deleteTempObject, readTempObject } from '../../shared/nats/temp-objects';
import type { Services } from '../../shared/runtime/services';
import { randomKey } from '../harness/config';
import { makeTone } from '../harness/media';
import { startInProcessServices, type InProcessServices } from '../harness/services';
import { jobEvent, stepContext, uploadInProcess } from '../harness/steps';

/**
 * Issue 15: every job ends `done` or `error` with a reason within a stated bound, and a
 * duplicate delivery can neither run a job twice under a live worker nor overwrite the
 * results the job record names.
 */
describe('jobs always end, and duplicate deliveries are safe', () => {
  let node: InProcessServices;
  let s: Services;
  const context = stepContext;
  const event = (id: string, attempt = 1) => jobEvent('jobs.audio', id, attempt);
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

  /** A transcode that writes `bytes` as the job's MP3: attempts told apart by what they wrote. */
  const fake =
    (bytes: Buffer) =>
    async ({ job: j, workDir }: { job: Job; workDir: string }) => {
      const file = path.join(workDir, 'out.mp3');
      fs.writeFileSync(file, bytes);
      return {
        probe: {},
        outputs: [
          {
            variant: '320' as const,
            fileName: `${j.id}_320.mp3`,
            path: file,
            size: bytes.length,
            contentType: 'audio/mpeg' as const,
            sha256: sha(bytes),
          },
        ],
      };
    };

  const upload = (name: string): Promise<Job> =>
    uploadInProcess(s, name, fs.readFileSync(makeTone(node.dir, name, 1)), 'audio');

  const tempBytes = async (bucket: string, name: string): Promise<Buffer | null> => {
    const found = await readTempObject(s.nats, bucket, name);
    if (!found) return null;
    const chunks: Buffer[] = [];
    for await (const c of found.body) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };

  const waitUntil = async (check: () => Promise<boolean>, what: string, timeoutMs = 20_000) => {
    const end = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeAll(async () => {
    node = await startInProcessServices('jobs-end');
    s = node.services;
  });

  afterAll(() => node?.stop());

  test('a redelivery while the worker runs waits for it: one transcode, its results stored', async () => {
    const job = await upload('twice.wav');
    const first = audioStep(event(job.id, 1), context());
    await waitUntil(async () => (await s.jobs.require(job.id)).transcode_running === true, 'claimed');
    const second = await audioStep(event(job.id, 2), context());
    const winner = await first;
    expect(second).toEqual(winner);
    expect(winner).toMatchObject({ attempts: 1, stage: 'storing', transcode_running: false });
    expect(winner.results.map((r: any) => r.temp_name)).toEqual(
      winner.results.map((r: any) => tempResultName(r.name, 1)),
    );
    expect(await storeStep(event(job.id), context())).toBe('done');
  });

  test('a claim by a worker that is gone is taken over at once', async () => {
    const job = await upload('orphan.wav');
    const gone = identityFromHex(randomKey()).address;
    await s.jobs.update(job.id, (j) => ({
      ...j,
      status: 'in_progress',
      stage: 'transcoding',
      transcode_worker_id: gone,
      transcode_running: true,
      attempts: 1,
    }));
    const started = Date.now();
    const done = await audioStep(event(job.id, 2), context());
    expect(done).toMatchObject({ attempts: 2, stage: 'storing', transcode_worker_id: s.identity.address });
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  test('an attempt that hangs past its timeout, deaf to its signal, is given up and the job retried', async () => {
    const job = await upload('deaf.wav');
    const step = new AbortController();
    let entered!: () => void;
    const transcoding = new Promise<void>((r) => (entered = r));
    const hung = runTranscodeStep(s, 'audio', event(job.id, 1), { ...context(), signal: step.signal }, () => {
      entered();
      return new Promise<never>(() => undefined); // a call lost inside a client library
    });
    await transcoding;
    const abortedAt = Date.now();
    step.abort(new DOMException('the step timed out', 'TimeoutError'));
    await expect(hung).rejects.toThrow(
      /did not stop within 5 s of its abort \(the step timed out\); given up/,
    );
    expect(Date.now() - abortedAt).toBeGreaterThanOrEqual(ABANDON_GRACE_MS - 50);
    expect(Date.now() - abortedAt).toBeLessThan(ABANDON_GRACE_MS + 5000);
    const failed = await s.jobs.require(job.id);
    expect(failed).toMatchObject({ status: 'in_progress', stage: 'transcoding', transcode_running: false });
    expect(failed.error).toMatch(/^attempt 1 of 3 failed: .*given up; retrying$/);
    // Its worker no longer looks alive: the redelivery claims the job and finishes it.
    const done = await audioStep(event(job.id, 2), context());
    expect(done).toMatchObject({ attempts: 2, stage: 'storing', transcode_running: false });
  });

  test("a healthy member's claim is waited on while its heartbeat runs, and taken over once the record is silent past the limit", async () => {
    const job = await upload('mute.wav');
    const other = identityFromHex(randomKey());
    // The other worker is a healthy member in this node's view (one node runs here; the
    // membership view is the only part not real in this test).
    const here: JobDeps = {
      ...s,
      membership: {
        get: (id: string) => (id === other.address ? { healthy: true } : s.membership.get(id)),
      } as unknown as Membership,
    };
    await s.jobs.update(job.id, (j) => ({
      ...j,
      status: 'in_progress',
      stage: 'transcoding',
      transcode_worker_id: other.address,
      transcode_running: true,
      attempts: 1,
    }));
    // While the worker's heartbeat writes the record, the redelivery keeps waiting...
    const stopBeat = heartbeatWhileRunning({ ...s, identity: other }, job.id, 1, 300);
    // Ten beats to a limit: a write or two slowed by a loaded machine is not silence.
    const silentMs = 3000;
    const startedAt = Date.now();
    let endedAt = 0;
    const waiting = waitForLiveWorker(here, job.id, new AbortController().signal, silentMs).then(
      () => (endedAt = Date.now()),
    );
    await waitUntil(async () => Date.now() - startedAt > 3 * silentMs, 'three silence limits passed');
    expect(endedAt).toBe(0);
    expect((await s.jobs.require(job.id)).transcode_heartbeat_at).toEqual(expect.any(String));
    // ...and once it stops, takes the claim over after the limit (the record still says running).
    const stoppedAt = Date.now();
    stopBeat();
    await waiting;
    expect(endedAt - stoppedAt).toBeGreaterThanOrEqual(silentMs - 400);
    expect(endedAt - stoppedAt).toBeLessThan(silentMs + 4000);
    expect(await s.jobs.require(job.id)).toMatchObject({
      transcode_running: true,
      transcode_worker_id: other.address,
    });
  });

  test('a running attempt writes its heartbeat into the job record', async () => {
    const job = await upload('beat.wav');
    const step = runTranscodeStep(s, 'audio', event(job.id, 1), context(), async () => {
      await waitUntil(
        async () => (await s.jobs.require(job.id)).transcode_heartbeat_at !== undefined,
        'a heartbeat',
        WORKER_HEARTBEAT_MS + 10_000,
      );
      throw new StorageError('TRANSCODE_FAILED', 'stopped by the test', { permanent: true });
    });
    await expect(step).rejects.toThrow('stopped by the test');
    const ended = await s.jobs.require(job.id);
    expect(ended).toMatchObject({
      status: 'error',
      transcode_running: false,
      error: expect.stringMatching(/stopped by the test/),
    });
    expect(Date.parse(ended.transcode_heartbeat_at!)).toBeGreaterThan(Date.parse(ended.started_at!));
  });

  test("a late attempt that loses the compare-and-set never overwrites the winner's results", async () => {
    const job = await upload('race.wav');
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const slowBytes = Buffer.from('the slow attempt, another ffmpeg build');
    const fastBytes = Buffer.from('the attempt that finished first');
    // Attempt 1 is claimed and transcoding; its node then looks dead to the redelivery.
    const late = runTranscodeStep(s, 'audio', event(job.id, 1), context(), async (input) => {
      await held;
      return fake(slowBytes)(input);
    });
    await waitUntil(async () => (await s.jobs.require(job.id)).transcode_running === true, 'claimed');
    await s.jobs.update(job.id, (j) => ({ ...j, transcode_worker_id: identityFromHex(randomKey()).address }));
    const won = await runTranscodeStep(s, 'audio', event(job.id, 2), context(), fake(fastBytes));
    release();
    const lost = await late;
    expect(lost).toEqual(await s.jobs.require(job.id));
    expect(won.results[0]).toMatchObject({
      sha256: sha(fastBytes),
      temp_name: tempResultName(won.results[0].name, 2),
    });
    expect(await tempBytes(job.source_info.bucket, tempResultName(won.results[0].name, 2))).toEqual(
      fastBytes,
    );
    expect(await tempBytes(job.source_info.bucket, tempResultName(won.results[0].name, 1))).toBeNull();
    expect(await storeStep(event(job.id), context())).toBe('done');
    const stored = await s.blob.get(`0_${job.id.slice(-3)}/${job.id}_320.mp3`);
    const chunks: Buffer[] = [];
    for await (const c of stored!.body) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks)).toEqual(fastBytes);
  });

  test("a stale attempt's failure leaves alone the claim a redelivery took over", async () => {
    const job = await upload('stale.wav');
    let releaseStale!: () => void;
    const staleHeld = new Promise<void>((r) => (releaseStale = r));
    const stale = runTranscodeStep(s, 'audio', event(job.id, 1), context(), async () => {
      await staleHeld;
      throw new StorageError('TRANSCODE_FAILED', 'the stale attempt failed', { permanent: true });
    });
    await waitUntil(async () => (await s.jobs.require(job.id)).transcode_running === true, 'claimed');
    // Its node looks dead to the redelivery, which claims the job as attempt 2.
    await s.jobs.update(job.id, (j) => ({ ...j, transcode_worker_id: identityFromHex(randomKey()).address }));
    let releaseFresh!: () => void;
    const freshHeld = new Promise<void>((r) => (releaseFresh = r));
    const bytes = Buffer.from('the attempt that took over');
    const fresh = runTranscodeStep(s, 'audio', event(job.id, 2), context(), async (input) => {
      await freshHeld;
      return fake(bytes)(input);
    });
    await waitUntil(async () => (await s.jobs.require(job.id)).attempts === 2, 'attempt 2 claimed');
    releaseStale();
    // Retryable whatever it was: the delivery it ends is the one attempt 2 now runs under.
    await expect(stale).rejects.toMatchObject({
      permanent: false,
      message: expect.stringMatching(/^attempt 1 was taken over by a later one: .*the stale attempt failed/),
    });
    const taken = await s.jobs.require(job.id);
    expect(taken).toMatchObject({
      status: 'in_progress',
      stage: 'transcoding',
      attempts: 2,
      transcode_running: true,
      transcode_worker_id: s.identity.address,
    });
    expect(taken.error).toBeUndefined();
    releaseFresh();
    const done = await fresh;
    expect(done).toMatchObject({ status: 'in_progress', stage: 'storing', attempts: 2 });
    expect(done.results[0].sha256).toBe(sha(bytes));
  });

  test('a last attempt whose announcement fails after its results are recorded keeps them and announces again', async () => {
    const job = await upload('unannounced.wav');
    // The first publish to the storers' subject fails as a lost JetStream answer would; the rest is real.
    let refused = 0;
    const js = Object.create(s.nats.js) as typeof s.nats.js;
    js.publish = (subject, payload, options) => {
      if (subject === 'results.audio' && refused++ === 0)
        return Promise.reject(new StorageError('INTERNAL', 'the announcement was refused'));
      return s.nats.js.publish(subject, payload, options);
    };
    const announced: string[] = [];
    const watch = s.nats.nc.subscribe('results.audio', {
      callback: (_, m) => {
        announced.push(m.json<{ id: string }>().id);
      },
    });
    await s.nats.nc.flush();
    const here: JobDeps = { ...s, nats: { ...s.nats, js } };
    const bytes = Buffer.from('results recorded, announcement refused');
    await expect(runTranscodeStep(here, 'audio', event(job.id, 3), context(), fake(bytes))).rejects.toThrow(
      'the announcement was refused',
    );
    await s.nats.nc.flush();
    watch.unsubscribe();
    expect(refused).toBe(2);
    expect(announced).toEqual([job.id]);
    expect(await s.jobs.require(job.id)).toMatchObject({
      status: 'in_progress',
      stage: 'storing',
      attempts: 3,
    });
    expect(await storeStep(event(job.id), context())).toBe('done');
  });

  test('an announcement read before the record names its results is checked again, never dropped', async () => {
    const job = await upload('early.wav');
    // The record as a lagging read sees it: no results yet. Not acknowledged: retried.
    await expect(storeStep(event(job.id), context())).rejects.toMatchObject({
      code: 'NOT_READY',
      message: expect.stringMatching(/its record names no results yet/),
    });
    await expect(storeStep(event('cmnorecordxxxxxxxxxxxxxxx'), context())).rejects.toMatchObject({
      code: 'NOT_READY',
      message: expect.stringMatching(/no record yet/),
    });
    // Once the read sees the results, the same announcement stores them.
    await audioStep(event(job.id), context());
    expect(await storeStep(event(job.id), context())).toBe('done');
    expect((await s.jobs.require(job.id)).status).toBe('done');
  });

  test('a storer whose results left the temp store, held by no node, ends the job in error at once', async () => {
    const job = await upload('gone.wav');
    const transcoded = await audioStep(event(job.id), context());
    for (const r of transcoded.results) await deleteTempObject(s.nats, r.bucket, r.temp_name!);
    expect(await storeStep(event(job.id), context())).toBe('nothing-to-store');
    const ended = await s.jobs.require(job.id);
    expect(ended.status).toBe('error');
    expect(ended.error).toMatch(/left the temp store before any owner stored them/);
  });

  test('the sweeper ends a silent transcode in error after its bound, and not before', async () => {
    const job = await upload('silent.wav');
    await s.jobs.update(job.id, (j) => ({
      ...j,
      status: 'in_progress',
      stage: 'transcoding',
      transcode_worker_id: s.identity.address,
      transcode_running: true,
    }));
    expect((await requeueStaleJobs(s, Date.now() + TRANSCODE_STALL_MS - 60_000)).settled).not.toContain(
      job.id,
    );
    expect((await s.jobs.require(job.id)).status).toBe('in_progress');
    const report = await requeueStaleJobs(s, Date.now() + TRANSCODE_STALL_MS + 1000);
    expect(report.settled).toContain(job.id);
    const ended = await s.jobs.require(job.id);
    expect(ended.status).toBe('error');
    expect(ended.error).toMatch(/no worker has touched the job for \d+ min/);
    expect(await s.jobs.openIds()).not.toContain(job.id);
  });

  test('the sweeper ends a storing job its storers gave up on: done when every file has a copy', async () => {
    const job = await upload('stuck.wav');
    const transcoded = await audioStep(event(job.id), context());
    // A copy on some node, but not on every owner, and the storers stopped trying.
    await s.jobs.update(job.id, (j) => ({
      ...j,
      results: j.results.map((r) => ({ ...r, nodes: ['0x' + '2'.repeat(40)] })),
    }));
    expect(transcoded.stage).toBe('storing');
    const report = await requeueStaleJobs(s, Date.now() + STORE_STALL_MS + 1000);
    expect(report.settled).toContain(job.id);
    expect((await s.jobs.require(job.id)).status).toBe('done');
  });
});
