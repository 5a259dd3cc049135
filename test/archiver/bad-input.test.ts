import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { openFileStore } from '../../shared/blob/file-store';
import { newPrivateKeyHex, identityFromHex } from '../../shared/identity/wallet';
import { freePort } from '../../shared/local/ports';
import { startS3Server, type S3Server } from '../harness/s3-server';
import { tempDir } from '../harness/temp';
import { runArchiver, type ArchiverRun } from './run-archiver';

/**
 * Each bad input of issue 12 gets one clear line on stderr and its own exit code, and leaves
 * nothing half-written. The store is a small file store (the content does not matter here).
 */
describe('archiver bad input', () => {
  const work = tempDir('archiver-bad');
  const store = path.join(work.dir, 'store');
  const archiveDir = path.join(work.dir, 'archive');
  const archive = `file://${archiveDir}`;
  const key = newPrivateKeyHex();
  const env = { storage_driver_url: `file://${store}`, AUDIUS_DELEGATE_PRIVATE_KEY: key };
  let s3: S3Server;
  let snapshot: string;

  beforeAll(async () => {
    s3 = await startS3Server({ buckets: ['archive'] });
    const files = await openFileStore(store);
    for (let i = 0; i < 5; i++)
      await files.put(`0_abc/${'k'.repeat(21)}${i}abc_150.jpg`, Readable.from([randomBytes(100 + i)]));
    const run = await runArchiver(['backup', '--to', archive, '--include-key'], {
      ...env,
      ARCHIVER_PASSPHRASE: 'right horse',
    });
    expect(run.code).toBe(0);
    snapshot = run.summary.snapshot;
  }, 60_000);

  afterAll(async () => {
    await s3?.stop();
    work.remove();
  });

  /** One line on stderr that matches `line`, the exit code, no summary. */
  function expectFailure(run: ArchiverRun, exit: number, line: RegExp) {
    const lines = run.stderr.split('\n').filter((l) => l.startsWith('archiver: '));
    expect({ lines, code: run.code }).toEqual({ lines: [expect.stringMatching(line)], code: exit });
    expect(run.summary).toBeUndefined();
  }

  const emptyDir = () => {
    const dir = fs.mkdtempSync(path.join(work.dir, 'empty-'));
    return { dir, url: `file://${dir}` };
  };

  test('a malformed or unknown URL: exit 2', async () => {
    expectFailure(await runArchiver(['backup', '--to', 'ftp://host/x'], env), 2, /unknown scheme "ftp:"/);
    expectFailure(
      await runArchiver(['backup', '--to', 's3://Bad_Bucket/x'], env),
      2,
      /not a valid s3 bucket name/,
    );
    expectFailure(await runArchiver(['backup', '--to', 'not a url'], env), 2, /is not a URL/);
    expectFailure(await runArchiver(['backup'], env), 2, /no archive given/);
  });

  test('missing, wrong and unusable credentials, and an unreachable target: exit 3', async () => {
    const url = s3.storeUrl('archive').replace('?', '/node1?');
    expectFailure(
      await runArchiver(['backup', '--to', url], env),
      3,
      /no credentials; set AWS_ACCESS_KEY_ID/,
    );
    // s3rver checks the key id but not SigV4 signatures, so the wrong credential here is the id.
    expectFailure(
      await runArchiver(['backup', '--to', url], {
        ...env,
        AWS_ACCESS_KEY_ID: 'WRONG',
        AWS_SECRET_ACCESS_KEY: 'S3RVER',
      }),
      3,
      /access denied/,
    );
    const closed = `s3://archive/x?region=us-east-1&endpoint=http://127.0.0.1:${await freePort()}&s3ForcePathStyle=true`;
    expectFailure(
      await runArchiver(['list', '--archive', closed], { ...env, ...s3.env }),
      3,
      /cannot reach s3 bucket "archive"/,
    );
    expectFailure(
      await runArchiver(['backup', '--to', s3.storeUrl('no-such-bucket')], { ...env, ...s3.env }),
      3,
      /does not exist/,
    );
  });

  test('a target holding something else: exit 4, nothing written', async () => {
    const { dir, url } = emptyDir();
    fs.writeFileSync(path.join(dir, 'family-photos.txt'), 'not ours');
    expectFailure(
      await runArchiver(['backup', '--to', url], env),
      4,
      /holds something other than storage backups/,
    );
    expectFailure(
      await runArchiver(['list', '--archive', url]),
      4,
      /holds something other than storage backups/,
    );
    expect(fs.readdirSync(dir).filter((n) => !n.startsWith('.blob-'))).toEqual(['family-photos.txt']);
    expectFailure(
      await runArchiver(['restore', '--from', emptyDir().url, '--to', emptyDir().url]),
      4,
      /holds no backups/,
    );
  });

  test('a corrupted or truncated manifest: exit 4, nothing restored', async () => {
    const manifest = path.join(archiveDir, 'snapshots', `${snapshot}.json`);
    const good = fs.readFileSync(manifest);
    try {
      for (const bad of [
        good.subarray(0, good.length >> 1),
        Buffer.from(good.toString().replace(/"size":10/, '"size":11')),
      ]) {
        fs.writeFileSync(manifest, bad);
        const into = emptyDir();
        const run = await runArchiver([
          'restore',
          '--from',
          archive,
          '--to',
          into.url,
          '--snapshot',
          snapshot,
        ]);
        expectFailure(
          run,
          4,
          new RegExp(`snapshot ${snapshot}: the manifest is (not valid JSON|corrupt: totals say)`),
        );
        expect(fs.readdirSync(into.dir).filter((n) => !n.startsWith('.blob-'))).toEqual([]);
        expectFailure(await runArchiver(['verify', '--archive', archive]), 4, /the manifest is/);
      }
    } finally {
      fs.writeFileSync(manifest, good);
    }
  });

  test('a wrong passphrase: exit 6 before anything is written; the right one restores the key', async () => {
    const data = emptyDir();
    const into = emptyDir();
    const args = ['restore', '--from', archive, '--to', into.url, '--restore-key', '--data-dir', data.dir];
    expectFailure(await runArchiver(args, { ARCHIVER_PASSPHRASE: 'wrong horse' }), 6, /wrong passphrase/);
    expect(fs.readdirSync(into.dir).filter((n) => !n.startsWith('.blob-'))).toEqual([]);
    expect(fs.readdirSync(data.dir)).toEqual([]);
    expectFailure(await runArchiver(args, {}), 2, /needs its passphrase/);

    const ok = await runArchiver(args, { ARCHIVER_PASSPHRASE: 'right horse' });
    expect(ok.code).toBe(0);
    expect(ok.summary.key_restored).toBe(identityFromHex(key).address);
    expect(fs.readFileSync(path.join(data.dir, 'delegate.key'), 'utf8').trim()).toBe(key);
    expect(fs.statSync(path.join(data.dir, 'delegate.key')).mode & 0o777).toBe(0o600);
    // The manifest never holds the key in the clear.
    expect(fs.readFileSync(path.join(archiveDir, 'snapshots', `${snapshot}.json`), 'utf8')).not.toContain(
      key,
    );
  });

  test('a snapshot that does not exist: exit 4; bad flags and modes: exit 2', async () => {
    expectFailure(
      await runArchiver(['restore', '--from', archive, '--to', emptyDir().url, '--snapshot', '2099']),
      4,
      /no snapshot "2099"/,
    );
    expectFailure(await runArchiver(['verify', '--archive', archive, '--sample', '2']), 2, /--sample/);
    expectFailure(await runArchiver(['prune', '--archive', archive]), 2, /prune needs a retention/);
    expectFailure(await runArchiver([], { MODE: 'COPY' }), 2, /MODE=COPY/);
  });

  test('the environment form: MODE, ARCHIVE_URL and the store from storage_driver_url', async () => {
    const run = await runArchiver([], { ...env, MODE: 'BACKUP', ARCHIVE_URL: archive });
    expect(run.code).toBe(0);
    expect(run.summary).toMatchObject({ command: 'backup', files: 5, uploaded_files: 0, present_files: 5 });
    const list = await runArchiver([], { MODE: 'LIST', ARCHIVE_URL: archive });
    expect(list.events.filter((e) => e.event === 'snapshot').map((e) => e.id)).toEqual([
      snapshot,
      run.summary.snapshot,
    ]);
  });
});
