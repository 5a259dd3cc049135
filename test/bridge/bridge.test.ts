import fs from 'node:fs';
import path from 'node:path';
import { RetentionPolicy } from '@nats-io/jetstream';
import { connectNats, type Nats } from '../../shared/nats/connection';
import { waitFor } from '../../shared/local/ports';
import { PROJECT_ROOT } from '../../shared/paths';
import { startBridgeProcess, type BridgeProcess } from '../harness/bridge';
import { randomKey } from '../harness/config';
import { startTestNats, type TestNats } from '../harness/nats';
import { startOffline, type Offline } from '../harness/offline';
import { tempDir } from '../harness/temp';

/**
 * The NATS→Lambda bridge against serverless-offline's Lambda endpoint (real AWS SDK Invoke),
 * with the step functions of test/fixtures/bridge-service. Every invocation is recorded by the
 * function itself; JetStream's own advisories and consumer state say how each was settled.
 */
const SERVICE = path.join(PROJECT_ROOT, 'test/fixtures/bridge-service');
const STREAM = 'BRIDGETEST';

interface Call {
  fn: string;
  attempt: number;
  at: number;
}

describe('NATS→Lambda bridge', () => {
  let nats: TestNats;
  let client: Nats;
  let offline: Offline;
  let bridge: BridgeProcess | undefined;
  const temp = tempDir('bridge');
  const callLog = path.join(temp.dir, 'calls.log');

  const calls = (fn: string): Call[] =>
    fs.existsSync(callLog)
      ? fs
          .readFileSync(callLog, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Call)
          .filter((c) => c.fn === fn)
      : [];

  const bridgeEnv = (): NodeJS.ProcessEnv => ({
    ...process.env,
    NATS_SERVER_URL: nats.urls.join(','),
    storage_driver_url: `file://${temp.dir}/blobs`,
    AUDIUS_DATA_DIR: `${temp.dir}/data`,
    AUDIUS_DELEGATE_PRIVATE_KEY: bridgeKey,
    AUDIUS_STEP_INVOKER: 'lambda',
    AUDIUS_LAMBDA_ENDPOINT: offline.lambdaEndpoint,
    AUDIUS_LAMBDA_PREFIX: 'bridge-test-dev-',
  });
  const bridgeKey = randomKey();

  beforeAll(async () => {
    nats = await startTestNats(1);
    client = await connectNats(nats.urls, 'bridge-test', 1);
    await client.jsm.streams.add({ name: STREAM, subjects: ['bridge.>'], retention: RetentionPolicy.Limits });
    offline = await startOffline({
      serviceDir: SERVICE,
      env: { ...process.env, BRIDGE_TEST_LOG: callLog, AUDIUS_STEP_INVOKER: 'lambda' },
    });
    bridge = await startBridgeProcess({
      env: bridgeEnv(),
      config: path.join(SERVICE, 'serverless.yml'),
      graceSeconds: 1,
    });
  }, 180_000);

  afterAll(async () => {
    await bridge?.child.stop(5000);
    await offline?.stop();
    await client?.nc.close();
    await nats?.stop();
    temp.remove();
  });

  /** A failure message with what the functions and the bridge said. */
  function explain(err: Error): never {
    const seen = fs.existsSync(callLog) ? fs.readFileSync(callLog, 'utf8') : '(no calls)';
    throw new Error(`${err.message}\ncalls:\n${seen}\nbridge:\n${bridge?.output.slice(-15).join('\n')}`);
  }

  /** The bridge's last log line with `message` about function `fn` (waits for it a little). */
  async function bridgeSaid(message: string, fn: string): Promise<string> {
    const line = () => bridge!.output.filter((l) => l.includes(message) && l.includes(`"fn":"${fn}"`)).at(-1);
    await waitFor(`the bridge to log "${message}" for ${fn}`, async () => line() !== undefined, 5000);
    return line()!;
  }

  /** Waits until the consumer has settled `seq` for good (acked or termed: the ack floor passed it). */
  async function settled(durable: string, seq: number, timeoutMs: number): Promise<void> {
    await waitFor(
      `${durable} to settle message ${seq}`,
      async () => {
        const info = await client.jsm.consumers.info(STREAM, durable);
        return info.ack_floor.stream_seq >= seq && info.num_ack_pending === 0 && info.num_pending === 0;
      },
      timeoutMs,
    ).catch(explain);
  }

  async function consumerSettled(durable: string): Promise<boolean> {
    const info = await client.jsm.consumers.info(STREAM, durable);
    return info.num_pending === 0 && info.num_ack_pending === 0;
  }

  test('a failing function is retried with its backoff, then terminated', async () => {
    const ack = await client.js.publish('bridge.fail', JSON.stringify({ n: 1 }));
    await settled('always_fails', ack.seq, 90_000);
    // Terminated by the shim after the last attempt, with the function's reason.
    expect(await bridgeSaid('step failed for good', 'alwaysFails')).toContain('this step always fails');
    const seen = calls('alwaysFails');
    expect(seen.map((c) => c.attempt)).toEqual([1, 2, 3]);
    // backoff: [1, 2] seconds between the attempts (nak delays, measured by the function)
    expect(seen[1].at - seen[0].at).toBeGreaterThanOrEqual(1000);
    expect(seen[2].at - seen[1].at).toBeGreaterThanOrEqual(2000);
  }, 120_000);

  test('a permanent error (a StorageError from the function) is terminated at once', async () => {
    const ack = await client.js.publish('bridge.permanent', JSON.stringify({ n: 1 }));
    await settled('permanent', ack.seq, 60_000);
    expect(await bridgeSaid('step failed for good', 'permanent')).toContain('not audio');
    expect(calls('permanent').map((c) => c.attempt)).toEqual([1]);
  }, 90_000);

  test('a function that times out is redelivered and the next attempt is acknowledged', async () => {
    await client.js.publish('bridge.slow', JSON.stringify({ n: 1 }));
    await waitFor('a second attempt', async () => calls('slowOnce').length >= 2, 40_000);
    const [first, second] = calls('slowOnce');
    expect([first.attempt, second.attempt]).toEqual([1, 2]);
    // Timed out (6 s) and nak'd with the 1 s backoff: redelivered long before the first
    // attempt's 30 s sleep could have ended on its own.
    expect(await bridgeSaid('step failed; will retry', 'slowOnce')).toMatch(/"attempt":1/);
    expect(second.at - first.at).toBeGreaterThanOrEqual(1000);
    expect(second.at - first.at).toBeLessThan(30_000);
    await waitFor('the consumer to settle', () => consumerSettled('slow_once'), 10_000);
    expect((await client.jsm.consumers.info(STREAM, 'slow_once')).ack_floor.stream_seq).toBeGreaterThan(0);
  }, 60_000);

  test('stopping the bridge hands in-flight work back, and the next bridge finishes it', async () => {
    await client.js.publish('bridge.hold', JSON.stringify({ n: 1 }));
    await waitFor('the first attempt to start', async () => calls('holds').length === 1, 20_000);
    const stoppedAt = Date.now();
    const stopped = bridge!;
    await stopped.child.stop(15_000);
    expect(stopped.output.some((l) => l.includes('in-flight work handed back at shutdown'))).toBe(true);
    // Handed back (nak), not left to the 30 s ack wait: pending again at once, nothing in flight.
    bridge = await startBridgeProcess({
      env: bridgeEnv(),
      config: path.join(SERVICE, 'serverless.yml'),
      graceSeconds: 1,
    });
    await waitFor('the second attempt', async () => calls('holds').length === 2, 60_000).catch(explain);
    expect(calls('holds').map((c) => c.attempt)).toEqual([1, 2]);
    // Handed back (nak), so redelivered at once, not after the consumer's 120 s ack wait.
    expect(calls('holds')[1].at - stoppedAt).toBeLessThan(90_000);
    await waitFor('the consumer to settle', () => consumerSettled('holds'), 10_000);
  }, 90_000);
});
