import fs from 'node:fs';
import path from 'node:path';
import { JetStreamApiError } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import pino from 'pino';
import { addressOf } from '../../shared/identity/wallet';
import { OPEN_NATS } from '../../shared/nats/auth';
import { connectNats, type Nats } from '../../shared/nats/connection';
import { isPermissionViolation } from '../../shared/nats/faults';
import { BUCKETS, STREAMS } from '../../shared/nats/names';
import { nodePermissions } from '../../shared/nats/permissions';
import { ensureNatsResources, natsLimits } from '../../shared/nats/resources';
import { randomKey, testConfig } from '../harness/config';
import { startTestNats, type TestNats } from '../harness/nats';
import { tempDir } from '../harness/temp';

/**
 * Issue 15, hardening: a node's own NATS user (exactly nodePermissions, pinned to its key of
 * KV `nodes`) cannot wipe the control plane — no purge, message delete or settings update of
 * the KV buckets, JOBS or RESULTS, and no `Nats-Rollup: all` put — yet it still creates the
 * assets of a fresh cluster, and a bucket made before keeps working with one warning until an
 * admin user applies the new settings. Entries are counted by an admin before and after.
 */
const dir = tempDir('nats-permissions');
const nodeId = addressOf(Buffer.from(randomKey(), 'hex'));
const NODE_PASSWORD = `node-${Math.random().toString(36).slice(2)}`;
const ADMIN_PASSWORD = `admin-${Math.random().toString(36).slice(2)}`;
const ROLLUP_NOT_PERMITTED = 10111; // nats-server's JSStreamRollupFailedErr

function serverConfig(name: string): string {
  const file = path.join(dir.dir, `${name}.conf`);
  const users = [
    { user: 'node1', password: NODE_PASSWORD, permissions: nodePermissions(nodeId) },
    { user: 'admin', password: ADMIN_PASSWORD },
  ];
  fs.writeFileSync(file, `authorization { users: ${JSON.stringify(users)} }\n`);
  return file;
}

const connectAs = (nats: TestNats, user: string, password: string) =>
  connectNats(nats.urls, user, 1, undefined, { ...OPEN_NATS, user, password });

/** A logger that keeps its warnings, as `stream: message`. */
function warnings() {
  const lines: string[] = [];
  const log = pino(
    { level: 'warn' },
    { write: (s: string) => void lines.push(`${JSON.parse(s).stream}: ${JSON.parse(s).msg}`) },
  );
  return { log, lines };
}

afterAll(() => dir.remove());

describe('a node user cannot wipe the control plane', () => {
  let server: TestNats;
  let node: Nats;
  let admin: Nats;
  const config = testConfig(['nats://127.0.0.1:4222'], dir.dir); // only its limits are used

  /** What an admin sees: the keys of KV `nodes` and `jobs`, the messages of JOBS and RESULTS. */
  async function contents() {
    const keys = async (bucket: string) => {
      const found: string[] = [];
      for await (const k of await (await admin.kvm.open(bucket)).keys()) found.push(k);
      return found.sort();
    };
    const messages = async (stream: string) => (await admin.jsm.streams.info(stream)).state.messages;
    return {
      nodes: await keys(BUCKETS.nodes),
      jobs: await keys(BUCKETS.jobs),
      JOBS: await messages(STREAMS.JOBS.name),
      RESULTS: await messages(STREAMS.RESULTS.name),
    };
  }
  const SEEDED = {
    nodes: ['0xother1', '0xother2', nodeId].sort(),
    jobs: ['job1', 'job2', 'job3'],
    JOBS: 2,
    RESULTS: 2,
  };

  beforeAll(async () => {
    server = await startTestNats(1, { configFile: serverConfig('wipe') });
    node = await connectAs(server, 'node1', NODE_PASSWORD);
    admin = await connectAs(server, 'admin', ADMIN_PASSWORD);
    // A fresh cluster's first node makes every asset under its own user, with no warning.
    const { log, lines } = warnings();
    await ensureNatsResources(node, config, log);
    expect(lines).toEqual([]);
    // Other nodes' records, job records, queued work and announcements, written by the admin.
    const nodes = await admin.kvm.open(BUCKETS.nodes);
    for (const id of SEEDED.nodes) await nodes.put(id, `{"nodeId":"${id}"}`);
    const jobs = await admin.kvm.open(BUCKETS.jobs);
    for (const id of SEEDED.jobs) await jobs.put(id, `{"id":"${id}"}`);
    for (const i of [1, 2]) {
      await admin.js.publish(`jobs.audio`, `work ${i}`);
      await admin.js.publish(`results.audio`, `done ${i}`);
    }
    expect(await contents()).toEqual(SEEDED);
  }, 30_000);
  afterAll(async () => {
    await node?.nc.close();
    await admin?.nc.close();
    await server?.stop();
  });

  test('every KV bucket refuses rollup headers, from creation', async () => {
    for (const bucket of Object.values(BUCKETS).filter((b) => typeof b === 'string'))
      expect([bucket, (await admin.jsm.streams.info(`KV_${bucket}`)).config.allow_rollup_hdrs]).toEqual([
        bucket,
        false,
      ]);
  });

  const refusals: [string, () => Promise<unknown>][] = [
    ['purge KV nodes', () => node.jsm.streams.purge('KV_nodes')],
    ['purge KV jobs', () => node.jsm.streams.purge('KV_jobs')],
    ['purge JOBS', () => node.jsm.streams.purge(STREAMS.JOBS.name)],
    ['purge RESULTS', () => node.jsm.streams.purge(STREAMS.RESULTS.name)],
    [
      'delete another node’s record',
      async () => node.jsm.streams.deleteMessage('KV_nodes', await seqOf('nodes', '0xother1')),
    ],
    [
      'delete a job record',
      async () => node.jsm.streams.deleteMessage('KV_jobs', await seqOf('jobs', 'job2')),
    ],
    ['delete an announcement', () => node.jsm.streams.deleteMessage(STREAMS.RESULTS.name, 1)],
    ['set max_msgs 1 on KV nodes', () => node.jsm.streams.update('KV_nodes', { max_msgs: 1 })],
    ['set max_age 1 s on KV jobs', () => node.jsm.streams.update('KV_jobs', { max_age: 1e9 })],
    ['set max_msgs 1 on JOBS', () => node.jsm.streams.update(STREAMS.JOBS.name, { max_msgs: 1 })],
    ['set max_msgs 1 on RESULTS', () => node.jsm.streams.update(STREAMS.RESULTS.name, { max_msgs: 1 })],
  ];
  async function seqOf(bucket: string, key: string): Promise<number> {
    return (await (await admin.kvm.open(bucket)).get(key))!.revision;
  }

  test.each(refusals)('%s: refused to the node user, and every entry is still there', async (_, attempt) => {
    const refused = await attempt().then(
      () => 'allowed',
      (err: unknown) => (isPermissionViolation(err) ? 'permission violation' : String(err)),
    );
    expect(refused).toBe('permission violation');
    expect(await contents()).toEqual(SEEDED);
  });

  test.each([
    ['its own membership key', `$KV.${BUCKETS.nodes}.${nodeId}`],
    ['a job record', `$KV.${BUCKETS.jobs}.job1`],
  ])('a put with `Nats-Rollup: all` on %s is refused and deletes nothing', async (_, subject) => {
    const h = headers();
    h.set('Nats-Rollup', 'all');
    const refused = await node.js.publish(subject, '{}', { headers: h }).then(
      () => 'stored',
      (err: unknown) => (err instanceof JetStreamApiError ? err.code : String(err)),
    );
    expect(refused).toBe(ROLLUP_NOT_PERMITTED);
    expect(await contents()).toEqual(SEEDED);
  });

  test('the KV writes a node makes still work: create, update, delete, create again', async () => {
    const open = await node.kvm.open(BUCKETS.jobsOpen);
    const created = await open.create('job9', 'queued');
    await open.update('job9', 'running', created);
    await open.delete('job9');
    expect((await open.get('job9'))?.operation).toBe('DEL');
    await open.create('job9', 'queued again');
    expect((await open.get('job9'))?.string()).toBe('queued again');
    const mine = await node.kvm.open(BUCKETS.nodes);
    await mine.put(nodeId, `{"nodeId":"${nodeId}","beat":2}`);
    expect(await contents()).toEqual(SEEDED);
  });
});

describe('a cluster made before: settings a node user may not update', () => {
  let server: TestNats;
  let node: Nats;
  let admin: Nats;
  const config = testConfig(['nats://127.0.0.1:4222'], dir.dir); // only its limits are used
  const limits = natsLimits(config);

  beforeAll(async () => {
    server = await startTestNats(1, { configFile: serverConfig('before') });
    node = await connectAs(server, 'node1', NODE_PASSWORD);
    admin = await connectAs(server, 'admin', ADMIN_PASSWORD);
    // As an older version left them: KV `nodes` as Kvm.create makes it (rollups allowed) and
    // smaller, JOBS smaller than configured now.
    await ensureNatsResources(admin, config, warnings().log);
    await admin.jsm.streams.update(STREAMS.JOBS.name, { max_bytes: 8192 });
    await admin.jsm.streams.update(`KV_${BUCKETS.nodes}`, { max_bytes: 4096, allow_rollup_hdrs: true });
    await (await admin.kvm.open(BUCKETS.nodes)).put('0xother1', '{}');
  }, 30_000);
  afterAll(async () => {
    await node?.nc.close();
    await admin?.nc.close();
    await server?.stop();
  });

  test('the node starts, warns once per stream naming what differs, and changes nothing', async () => {
    const { log, lines } = warnings();
    await ensureNatsResources(node, config, log);
    const needsAdmin =
      "this node's NATS user may not update it; an admin user must apply them " +
      '(docs/nats-security.md, "Settings only an admin applies")';
    expect(lines).toEqual([
      `JOBS: NATS stream JOBS keeps its old settings (max_bytes 8192 → ${limits.stream}): ${needsAdmin}`,
      `KV_nodes: NATS stream KV_nodes keeps its old settings (max_bytes 4096 → ${limits.nodes}, allow_rollup_hdrs true → false): ${needsAdmin}`,
    ]);
    const kv = (await admin.jsm.streams.info('KV_nodes')).config;
    expect([kv.max_bytes, kv.allow_rollup_hdrs]).toEqual([4096, true]);
  });

  test('the same start under an admin user applies them, and the entries stay', async () => {
    const { log, lines } = warnings();
    await ensureNatsResources(admin, config, log);
    expect(lines).toEqual([]);
    const kv = (await admin.jsm.streams.info('KV_nodes')).config;
    expect([kv.max_bytes, kv.allow_rollup_hdrs]).toEqual([limits.nodes, false]);
    expect((await admin.jsm.streams.info(STREAMS.JOBS.name)).config.max_bytes).toBe(limits.stream);
    expect((await (await admin.kvm.open(BUCKETS.nodes)).get('0xother1'))?.string()).toBe('{}');
    // And a node's next start has nothing to warn about.
    const again = warnings();
    await ensureNatsResources(node, config, again.log);
    expect(again.lines).toEqual([]);
  });
});
