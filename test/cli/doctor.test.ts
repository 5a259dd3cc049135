import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { spawnChild, type Child } from '../../shared/local/child';
import { freePort, waitFor } from '../../shared/local/ports';
import { startTestNats, type TestNats } from '../harness/nats';
import { tempDir } from '../harness/temp';
import { runCli } from './run-cli';
import net from 'node:net';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';

/**
 * `storage doctor` against real parts (issue 17): a NATS with JetStream, one without, a
 * store on a read-only filesystem, a PATH without ffmpeg. Each problem is found and
 * comes with its fix; a healthy setup passes those checks.
 */
describe('storage doctor', () => {
  let nats: TestNats;
  let plainNats: Child;
  let plainUrl: string;
  const temp = tempDir('doctor');
  let readOnly: { dir: string; undo: () => void };

  beforeAll(async () => {
    nats = await startTestNats(1);
    const port = await freePort();
    // A nats-server without -js: reachable, but JetStream is off.
    plainNats = spawnChild('nats-plain', 'nats-server', ['-a', '127.0.0.1', '-p', String(port)], {});
    plainUrl = `nats://127.0.0.1:${port}`;
    await waitFor('the plain nats-server', () => canConnect(port));
    readOnly = readOnlyDir(path.join(temp.dir, 'ro-store'));
  }, 60_000);

  afterAll(async () => {
    readOnly?.undo();
    await plainNats?.stop();
    await nats?.stop();
    temp.remove();
  });

  /** A node's environment: its own settings only, so the machine's do not leak in. */
  const nodeEnv = (extra: Record<string, string> = {}) => ({
    NATS_SERVER_URL: nats.urls.join(','),
    storage_driver_url: `file://${path.join(temp.dir, 'store')}`,
    AUDIUS_DATA_DIR: path.join(temp.dir, 'data'),
    // Nothing listens here: the ring check is skipped, not failed.
    AUDIUS_HOST: 'http://127.0.0.1:9',
    ...extra,
  });

  const doctor = async (env: Record<string, string>) => {
    const run = await runCli(['doctor', '--json'], env);
    const report = JSON.parse(run.stdout) as {
      ok: boolean;
      checks: { check: string; status: string; detail: string; fix?: string }[];
    };
    const byName = Object.fromEntries(report.checks.map((c) => [c.check, c]));
    return { code: run.code, report, byName };
  };

  test('a good setup: NATS with JetStream, a writable store, ffmpeg and sharp all pass', async () => {
    const { byName } = await doctor(nodeEnv());
    for (const name of [
      'settings',
      'NATS reachable',
      'JetStream',
      'blob store',
      'ffmpeg',
      'ffprobe',
      'sharp',
    ]) {
      expect({ name, status: byName[name]?.status }).toEqual({ name, status: 'ok' });
    }
    expect(byName['ring agreement'].status).toBe('skip');
  });

  test('a KV bucket made before rollups were refused (a node could empty it) is a warning with its fix', async () => {
    const nc = await connect({ servers: nats.urls });
    try {
      await new Kvm(nc).create('nodes', { history: 5 }); // @nats-io/kv allows rollups
    } finally {
      await nc.close();
    }
    const { byName } = await doctor(nodeEnv());
    expect(byName['KV rollups refused']).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('allowed on KV_nodes:'),
      fix: expect.stringContaining('Settings only an admin applies'),
    });
  });

  test('a NATS without JetStream fails with the fix (-js)', async () => {
    const { code, report, byName } = await doctor(nodeEnv({ NATS_SERVER_URL: plainUrl }));
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    expect(byName['NATS reachable'].status).toBe('ok');
    expect(byName.JetStream.status).toBe('fail');
    expect(byName.JetStream.fix).toMatch(/nats-server -js/);
  });

  test('an unreachable NATS fails with its fix', async () => {
    const port = await freePort();
    const { code, byName } = await doctor(nodeEnv({ NATS_SERVER_URL: `nats://127.0.0.1:${port}` }));
    expect(code).toBe(1);
    expect(byName['NATS reachable'].status).toBe('fail');
    expect(byName['NATS reachable'].fix).toMatch(/start nats-server/);
  });

  test('a store on a read-only filesystem fails with the fix', async () => {
    const { code, byName } = await doctor(nodeEnv({ storage_driver_url: `file://${readOnly.dir}` }));
    expect(code).toBe(1);
    expect(byName['blob store'].status).toBe('fail');
    expect(byName['blob store'].fix).toMatch(/writable/);
  });

  test('a PATH without ffmpeg fails ffmpeg and ffprobe with the fix; text output says it too', async () => {
    const empty = path.join(temp.dir, 'empty-bin');
    fs.mkdirSync(empty, { recursive: true });
    const { code, byName } = await doctor(nodeEnv({ PATH: empty }));
    expect(code).toBe(1);
    expect(byName.ffmpeg).toMatchObject({ status: 'fail', detail: 'ffmpeg: not found on PATH' });
    expect(byName.ffmpeg.fix).toMatch(/apt-get install ffmpeg/);
    expect(byName.ffprobe.status).toBe('fail');
    expect(byName.sharp.status).toBe('ok');
    const text = await runCli(['doctor'], nodeEnv({ PATH: empty }));
    expect(text.stdout).toMatch(/✗ ffmpeg +ffmpeg: not found on PATH\n +fix: install ffmpeg/);
    expect(text.stdout).toMatch(/problem\(s\) to fix\n$/);
  });
});

/**
 * A directory nobody can write to. As root (CI), permission bits do not stop writes, so it
 * is a read-only tmpfs mount — the state a disk is left in after it is remounted read-only.
 */
function readOnlyDir(dir: string): { dir: string; undo: () => void } {
  fs.mkdirSync(dir, { recursive: true });
  if (process.getuid?.() !== 0) {
    fs.chmodSync(dir, 0o555);
    return { dir, undo: () => fs.chmodSync(dir, 0o755) };
  }
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', dir]);
  return { dir, undo: () => execFileSync('umount', [dir]) };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
