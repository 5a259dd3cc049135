import { loadConfig } from '../../shared/config';
import { createLogger } from '../../shared/log';
import { STREAMS } from '../../shared/nats/names';
import { buildServices } from '../../shared/runtime/build-services';
import { manifestFromDoc, type Manifest } from '../../shared/runtime/manifest';
import { closeServices } from '../../shared/runtime/node';
import type { Services } from '../../shared/runtime/services';
import { startWorkers, type Workers } from '../../shared/runtime/workers';
import { deliveries, scheduleRuns } from '../fixtures/functions/recording-step';
import { randomKey } from '../harness/config';
import { startTestNats, type TestNats } from '../harness/nats';
import { randomSuffix, tempDir } from '../harness/temp';

/** The consumer shim on a real nats-server: ack, retry with backoff, term, schedules. */
describe('NATS-triggered functions', () => {
  let nats: TestNats;
  let services: Services;
  let workers: Workers;
  let manifest: Manifest;
  const temp = tempDir('shim');
  const subject = `jobs.test_${randomSuffix()}`;
  const slowSubject = `jobs.slow_${randomSuffix()}`;

  beforeAll(async () => {
    nats = await startTestNats(1);
    const config = loadConfig({
      NATS_SERVER_URL: nats.urls.join(','),
      AUDIUS_DATA_DIR: temp.dir,
      storage_driver_url: `file://${temp.dir}/blobs`,
      AUDIUS_DELEGATE_PRIVATE_KEY: randomKey(),
      AUDIUS_TEMP_BUCKETS: '1',
    });
    services = await buildServices(config, createLogger('test', 'silent'));
    manifest = manifestFromDoc({
      service: 'test',
      functions: {
        recorder: {
          handler: 'test/fixtures/functions/recording-step.handler',
          events: [
            {
              nats: {
                stream: STREAMS.JOBS.name,
                subject,
                durable: `recorder_${randomSuffix()}`,
                concurrency: 2,
                maxAttempts: 3,
                backoff: [0.3, 0.6],
                ackWait: 5,
              },
            },
          ],
        },
        // ackWait 1 s against a 3 s step: only in-progress heartbeats keep it from redelivery.
        heartbeating: {
          handler: 'test/fixtures/functions/recording-step.handler',
          events: [
            {
              nats: {
                stream: STREAMS.JOBS.name,
                subject: slowSubject,
                durable: `heartbeating_${randomSuffix()}`,
                // A second worker would take a redelivery at once.
                concurrency: 2,
                maxAttempts: 5,
                ackWait: 1,
              },
            },
          ],
        },
        ticker: {
          handler: 'test/fixtures/functions/recording-step.scheduled',
          events: [{ schedule: 'rate(1 second)' }],
        },
      },
    });
    workers = await startWorkers(services, manifest, createLogger('test', 'silent'));
  });

  afterAll(async () => {
    await workers?.stop();
    if (services) await closeServices(services);
    await nats?.stop();
    temp.remove();
  });

  const publish = (n: number, mode: string) => services.nats.js.publish(subject, JSON.stringify({ n, mode }));
  // The jobs stream is a work queue: a message leaves it once acked or terminated, so after
  // that nothing can deliver it again and absence of further runs is final.
  const settled = async (seq: number) => {
    const end = Date.now() + 10_000;
    while ((await services.nats.jsm.streams.getMessage(STREAMS.JOBS.name, { seq })) !== null) {
      if (Date.now() > end) throw new Error(`message ${seq} still in the stream`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const seen = (n: number) => deliveries.filter((d) => d.data.n === n);
  const until = async (what: () => boolean, ms = 10_000) => {
    const end = Date.now() + ms;
    while (!what()) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  test('each published message reaches the function once and is acked', async () => {
    await Promise.all([1, 2, 3].map((n) => publish(n, 'ok')));
    await until(() => [1, 2, 3].every((n) => seen(n).length === 1));
    expect([1, 2, 3].map((n) => seen(n).map((d) => d.attempt))).toEqual([[1], [1], [1]]);
  });

  test('a failing function is retried with backoff, then terminated after its last attempt', async () => {
    const { seq } = await publish(10, 'fail');
    await until(() => seen(10).length === 3);
    const runs = seen(10);
    expect(runs.map((d) => d.attempt)).toEqual([1, 2, 3]);
    expect(runs.every((d) => d.maxAttempts === 3)).toBe(true);
    // Backoff: ≥0.3 s before the 2nd attempt, ≥0.6 s before the 3rd.
    expect(runs[1].at - runs[0].at).toBeGreaterThanOrEqual(280);
    expect(runs[2].at - runs[1].at).toBeGreaterThanOrEqual(580);
    // Terminated: gone from the queue, so never delivered again.
    await settled(seq);
    expect(seen(10)).toHaveLength(3);
  });

  test("a failure that says when to retry is retried no sooner, whatever the function's backoff", async () => {
    const { seq } = await publish(11, 'later');
    await until(() => seen(11).length === 3, 15_000);
    const runs = seen(11);
    // The backoff alone would be 0.3 s and 0.6 s.
    expect(runs[1].at - runs[0].at).toBeGreaterThanOrEqual(1450);
    expect(runs[2].at - runs[1].at).toBeGreaterThanOrEqual(1450);
    await settled(seq);
  });

  test('a step longer than its ackWait is not redelivered while it runs (in-progress heartbeats)', async () => {
    const { seq } = await services.nats.js.publish(slowSubject, JSON.stringify({ n: 40, mode: 'slow' }));
    await until(() => seen(40).length === 1);
    // Acked after its 3 s run (three ackWaits): a redelivery meanwhile would have been recorded.
    await settled(seq);
    expect(seen(40).map((d) => d.attempt)).toEqual([1]);
  });

  test('a permanent error is terminated at once, without retries', async () => {
    const { seq } = await publish(20, 'permanent');
    await until(() => seen(20).length === 1);
    await settled(seq);
    expect(seen(20).map((d) => d.attempt)).toEqual([1]);
  });

  test('the work queue is empty once everything settled', async () => {
    const info = await services.nats.jsm.streams.info(STREAMS.JOBS.name);
    expect(info.state.messages).toBe(0);
  });

  test('at shutdown, in-flight work past its grace is handed back and runs again on the next start', async () => {
    await publish(30, 'slow');
    await until(() => seen(30).length === 1);
    await workers.stop(100);
    // Handed back (nak), not acknowledged and not terminated: still in the work queue.
    const info = await services.nats.jsm.streams.info(STREAMS.JOBS.name);
    expect(info.state.messages).toBe(1);
    workers = await startWorkers(services, manifest, createLogger('test', 'silent'));
    await until(() => seen(30).length === 2, 15_000);
    // Redelivered (a delivery caught by a pull still open at shutdown also counts as one).
    expect(seen(30)[0].attempt).toBe(1);
    expect(seen(30)[1].attempt).toBeGreaterThan(1);
    // The second run completes (3 s) and is acknowledged: the queue empties.
    const end = Date.now() + 10_000;
    while ((await services.nats.jsm.streams.info(STREAMS.JOBS.name)).state.messages > 0 && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 200));
    }
    expect((await services.nats.jsm.streams.info(STREAMS.JOBS.name)).state.messages).toBe(0);
  });

  test('a scheduled function runs on its rate', async () => {
    await until(() => scheduleRuns.length >= 2, 5000);
    expect(scheduleRuns[0].source).toBe('schedule');
  });
});
