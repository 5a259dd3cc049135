import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { addressOf } from '../../shared/identity/wallet';
import { nodePermissions } from '../../shared/nats/permissions';
import { randomKey } from '../harness/config';
import { curlUpload, waitForJob } from '../harness/http';
import { startTestNats, type TestNats } from '../harness/nats';
import { startTestNodes, type TestNodes } from '../harness/nodes';
import { tempDir } from '../harness/temp';

/**
 * Issue 15, "NATS runs open": a real nats-server that demands a user and password and grants
 * the node's user only the documented minimum (shared/nats/permissions.ts, pinned to its own
 * membership key): an upload runs to done; a wrong password stops the node in one line. Then
 * the same over TLS with certificates made now, the server verifying the client's.
 */
const dir = tempDir('nats-auth');
const key = randomKey();
const nodeId = addressOf(Buffer.from(key, 'hex'));
const PASSWORD = `pw-${Math.random().toString(36).slice(2)}`;

/** nats-server reads JSON inside its config format, so the permissions go in as they are. */
function serverConfig(name: string, tls = ''): string {
  const file = path.join(dir.dir, `${name}.conf`);
  const users = [{ user: 'node1', password: PASSWORD, permissions: nodePermissions(nodeId) }];
  fs.writeFileSync(file, `authorization { users: ${JSON.stringify(users)} }\n${tls}`);
  return file;
}

const nodeEnv = (extra: Record<string, string> = {}) => ({
  AUDIUS_DELEGATE_PRIVATE_KEY: key,
  AUDIUS_REPLICATION_FACTOR: '1',
  AUDIUS_NATS_USER: 'node1',
  AUDIUS_NATS_PASSWORD: PASSWORD,
  ...extra,
});

async function uploadToDone(cluster: TestNodes): Promise<void> {
  const image = path.join(dir.dir, 'cover.jpg');
  if (!fs.existsSync(image))
    await sharp({ create: { width: 200, height: 200, channels: 3, background: 'teal' } })
      .jpeg()
      .toFile(image);
  const upload = await curlUpload(cluster.nodes[0].url, [image], 'img_square');
  expect(upload.status).toBe(200);
  const done = await waitForJob(cluster.nodes[0].url, upload.body[0].id);
  expect([done.status, done.error]).toEqual(['done', undefined]);
  for (const r of done.results) expect(r.nodes).toEqual([nodeId]);
}

afterAll(() => dir.remove());

describe('NATS with user/password and per-node permissions', () => {
  let nats: TestNats;
  beforeAll(async () => {
    nats = await startTestNats(1, { configFile: serverConfig('password') });
  }, 30_000);
  afterAll(async () => nats?.stop());

  test('a node with the documented minimum permissions runs an upload to done', async () => {
    const cluster = await startTestNodes(1, nats.urls, nodeEnv());
    try {
      await uploadToDone(cluster);
    } finally {
      await cluster.stop();
    }
  }, 60_000);

  test('a node with a wrong password fails to start with one clear line', async () => {
    const failed = await startTestNodes(1, nats.urls, nodeEnv({ AUDIUS_NATS_PASSWORD: 'wrong' })).then(
      async (c) => {
        await c.stop();
        return null;
      },
      (err: Error) => err.message,
    );
    expect(failed).toMatch(
      /storage node failed to start: NATS nats:\/\/127\.0\.0\.1:\d+ refused user node1: Authorization Violation$/,
    );
    expect(failed).not.toMatch(/\n\s+at /); // no stack trace
  }, 60_000);

  test('a client without credentials is refused (the server really demands them)', async () => {
    const failed = await startTestNodes(
      1,
      nats.urls,
      nodeEnv({ AUDIUS_NATS_USER: '', AUDIUS_NATS_PASSWORD: '' }),
    ).then(
      async (c) => {
        await c.stop();
        return null;
      },
      (err: Error) => err.message,
    );
    expect(failed).toMatch(/refused no credentials: Authorization Violation/);
  }, 60_000);
});

describe('NATS over TLS (server and client certificates made by openssl now)', () => {
  let nats: TestNats;
  const pki = path.join(dir.dir, 'pki');
  const file = (name: string) => path.join(pki, name);

  beforeAll(async () => {
    fs.mkdirSync(pki, { recursive: true });
    const run = (...args: string[]) => execFileSync('openssl', args, { cwd: pki, stdio: 'pipe' });
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    run('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=test-ca');
    for (const [name, ext] of [
      // The client checks the name `localhost` as well as the address it dialled.
      ['server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth'],
      ['client', 'extendedKeyUsage=clientAuth'],
    ]) {
      fs.writeFileSync(file(`${name}.ext`), `${ext}\n`);
      run('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
      run(
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        `${name}.pem`,
        '-days',
        '1',
        '-extfile',
        `${name}.ext`,
      );
    }
    const tls = `tls { cert_file: "${file('server.pem')}", key_file: "${file('server.key')}", ca_file: "${file('ca.pem')}", verify: true }\n`;
    nats = await startTestNats(1, { configFile: serverConfig('tls', tls) });
  }, 30_000);
  afterAll(async () => nats?.stop());

  const tlsEnv = {
    AUDIUS_NATS_TLS_CA: file('ca.pem'),
    AUDIUS_NATS_TLS_CERT: file('client.pem'),
    AUDIUS_NATS_TLS_KEY: file('client.key'),
  };

  test('a node with the CA, a client certificate and its password runs an upload to done', async () => {
    const cluster = await startTestNodes(1, nats.urls, nodeEnv(tlsEnv));
    try {
      await uploadToDone(cluster);
    } finally {
      await cluster.stop();
    }
  }, 60_000);

  test('without a client certificate the server refuses the node, in one line', async () => {
    const failed = await startTestNodes(1, nats.urls, nodeEnv({ AUDIUS_NATS_TLS_CA: file('ca.pem') })).then(
      async (c) => {
        await c.stop();
        return null;
      },
      (err: Error) => err.message,
    );
    expect(failed).toMatch(
      /storage node failed to start: NATS nats:\/\/127\.0\.0\.1:\d+: cannot connect with user node1, TLS: timeout \(no answer: .*client certificate.*\)$/,
    );
    expect(failed).not.toMatch(/\n\s+at /);
  }, 60_000);
});
