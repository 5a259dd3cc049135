import type { KV } from '@nats-io/kv';
import fs from 'node:fs';
import path from 'node:path';
import { JobStore } from '../../shared/jobs/job-store';
import type { Job } from '../../shared/jobs/types';
import { connectNats, type Nats } from '../../shared/nats/connection';
import { BUCKETS } from '../../shared/nats/names';
import { startAzurite, type Azurite } from '../harness/azurite';
import { startTestNats, type TestNats } from '../harness/nats';
import { startTestNodes, type TestNodes } from '../harness/nodes';
import { startS3Server, type S3Server } from '../harness/s3-server';
import { tempDir } from '../harness/temp';
import { holdings, makeImages, uploadAll } from '../repair/cluster';
import { runArchiver } from './run-archiver';

/**
 * The archiver against real parts (issue 12): a node's store filled by real jobs (img_square,
 * three results each), real NATS for the job records, s3rver, Azurite and a file target. Every
 * run is the built CLI in its own process, judged by its exit code, its JSON lines and what the
 * stores hold afterwards (hashed from disk).
 */
describe('storage archiver', () => {
  let nats: TestNats;
  let cluster: TestNodes;
  let s3: S3Server;
  let azurite: Azurite;
  let client: Nats;
  let kv: KV;
  let jobs: JobStore;
  const media = tempDir('archiver-media');
  const work = tempDir('archiver');
  let blobs: string;
  let nodeEnv: Record<string, string>;

  beforeAll(async () => {
    nats = await startTestNats(1);
    // One at a time: on two cores, starting them together can push one past its start-up limit.
    cluster = await startTestNodes(1, nats.urls, { AUDIUS_REPLICATION_FACTOR: '1' });
    s3 = await startS3Server({ buckets: ['archive'] });
    azurite = await startAzurite({ containers: ['archive'] });
    blobs = path.join(cluster.dir, 'node1', 'blobs');
    const node = cluster.nodes[0];
    nodeEnv = {
      storage_driver_url: `file://${blobs}`,
      NATS_SERVER_URL: nats.urls.join(','),
      AUDIUS_DELEGATE_PRIVATE_KEY: node.env.AUDIUS_DELEGATE_PRIVATE_KEY,
    };
    await uploadAll([node.url], await makeImages(media.dir, 67), 'img_square', 12);
    client = await connectNats(nats.urls, 'archiver-test', 1);
    kv = await client.kvm.open(BUCKETS.jobs);
    jobs = new JobStore(kv);
  }, 240_000);

  afterAll(async () => {
    await client?.nc.close();
    await cluster?.stop();
    await Promise.allSettled([nats?.stop(), s3?.stop(), azurite?.stop()]);
    media.remove();
    work.remove();
  });

  async function allJobs(): Promise<Map<string, Job>> {
    const out = new Map<string, Job>();
    for (const id of await jobs.ids()) {
      const job = await jobs.get(id);
      if (job) out.set(id, job);
    }
    return out;
  }

  let restores = 0;

  /**
   * Restores into an empty store (a wiped node's, as far as the archiver can tell) after the job
   * records are deleted from KV, and checks every file and record came back exactly.
   */
  async function restoreIntoEmpty(archive: string, env: NodeJS.ProcessEnv) {
    const before = holdings(blobs);
    const records = await allJobs();
    for (const id of records.keys()) await kv.delete(id);
    expect((await allJobs()).size).toBe(0);
    const into = path.join(work.dir, `restored-${++restores}`);

    const run = await runArchiver(['restore', '--from', archive, '--to', `file://${into}`], {
      ...nodeEnv,
      ...env,
    });
    expect(run.stderr).not.toContain('archiver:');
    expect(run.code).toBe(0);
    expect(run.summary).toMatchObject({
      restored_files: before.size,
      missing: [],
      corrupt: [],
      jobs_imported: records.size,
    });
    expect(holdings(into)).toEqual(before);
    expect(await allJobs()).toEqual(records);
  }

  test('s3rver: backup, wipe, restore gives every file byte-identical and the job records back', async () => {
    const archive = `${s3.storeUrl('archive').replace('?', '/node1?')}`;
    const run = await runArchiver(['backup', '--to', archive], { ...nodeEnv, ...s3.env });
    expect(run.code).toBe(0);
    const held = holdings(blobs);
    expect(held.size).toBeGreaterThanOrEqual(200);
    expect(run.summary).toMatchObject({
      files: held.size,
      uploaded_files: held.size,
      present_files: 0,
      skipped: [],
      jobs: jobIds(held).size,
    });
    await restoreIntoEmpty(archive, s3.env);
  }, 120_000);

  test('a second backup after 20 new uploads sends only their files', async () => {
    const archive = `file://${work.dir}/incremental`;
    const first = await runArchiver(['backup', '--to', archive], nodeEnv);
    expect(first.code).toBe(0);
    const before = holdings(blobs);
    const results = await uploadAll(
      [cluster.nodes[0].url],
      await makeImages(media.dir, 20, 'new', 67),
      'img_square',
      10,
    );
    const added = [...results.keys()];
    expect(added).toHaveLength(80); // 20 uploads: three sizes and the kept original each
    expect(added.filter((name) => before.has(name))).toEqual([]);
    const objectsBefore = countObjects(`${work.dir}/incremental`);

    const second = await runArchiver(['backup', '--to', archive], nodeEnv);
    expect(second.code).toBe(0);
    const sent = second.events
      .filter((e) => e.event === 'object' && e.action === 'uploaded')
      .map((e) => path.basename(e.key));
    expect(sent.sort()).toEqual(added.sort());
    expect(second.summary).toMatchObject({
      files: before.size + 80,
      uploaded_files: 80,
      present_files: before.size,
      jobs: jobIds(before).size + 20,
    });
    // 80 files and one new job-records object, counted in the archive itself.
    expect(countObjects(`${work.dir}/incremental`)).toBe(objectsBefore + 81);
  }, 180_000);

  test('file and Azure targets: backup, wipe, restore', async () => {
    const targets: [string, NodeJS.ProcessEnv][] = [
      [`file://${work.dir}/file-target`, {}],
      ['azblob://archive/backups', azurite.env],
    ];
    for (const [archive, env] of targets) {
      const run = await runArchiver(['backup', '--to', archive], { ...nodeEnv, ...env });
      expect(run.stderr).not.toContain('archiver:');
      expect(run.code).toBe(0);
      await restoreIntoEmpty(archive, env);
    }
  }, 180_000);

  test("into a running node's store, restore adds only what is missing", async () => {
    const archive = `file://${work.dir}/running`;
    expect((await runArchiver(['backup', '--to', archive], nodeEnv)).code).toBe(0);
    const before = holdings(blobs);
    const lost = [...before.keys()].slice(0, 10);
    for (const name of lost) fs.rmSync(path.join(blobs, `0_${name.slice(22, 25)}`, name));

    const run = await runArchiver(['restore', '--from', archive], nodeEnv);
    expect(run.code).toBe(0);
    expect(run.summary).toMatchObject({
      restored_files: 10,
      present_files: before.size - 10,
      jobs_imported: 0,
    });
    expect(
      run.events
        .filter((e) => e.event === 'object')
        .map((e) => path.basename(e.key))
        .sort(),
    ).toEqual(lost.sort());
    expect(holdings(blobs)).toEqual(before);
  }, 120_000);

  test('killed mid-run, the next run completes, sends nothing twice, and no partial snapshot is listed', async () => {
    const dir = `${work.dir}/killed`;
    const archive = `file://${dir}`;
    let seen = 0;
    const killed = await runArchiver(
      ['backup', '--to', archive, '--concurrency', '1'],
      nodeEnv,
      (e, child) => {
        if (e.event === 'object' && ++seen === 40) child.kill('SIGKILL');
      },
    );
    expect(killed.code).toBeNull();
    expect(killed.summary).toBeUndefined();
    const list = await runArchiver(['list', '--archive', archive]);
    expect(list.code).toBe(0);
    expect(list.summary.snapshots).toBe(0);
    const present = countObjects(dir);
    expect(present).toBeGreaterThanOrEqual(40);

    const resumed = await runArchiver(['backup', '--to', archive], nodeEnv);
    expect(resumed.code).toBe(0);
    const files = holdings(blobs).size;
    const sent = resumed.events.filter((e) => e.event === 'object').map((e) => e.sha256);
    expect(new Set(sent).size).toBe(sent.length);
    expect(resumed.summary).toMatchObject({ files, uploaded_files: files - present, present_files: present });
    expect(countObjects(dir)).toBe(files + 1); // every file's content once, plus the job records
    const after = await runArchiver(['list', '--archive', archive]);
    expect(after.events.filter((e) => e.event === 'snapshot').map((e) => e.id)).toEqual([
      resumed.summary.snapshot,
    ]);
  }, 120_000);

  test('a corrupt and a missing object: VERIFY names both, RESTORE restores the rest and exits 5', async () => {
    const dir = `${work.dir}/damaged`;
    const archive = `file://${dir}`;
    expect((await runArchiver(['backup', '--to', archive, '--no-jobs'], nodeEnv)).code).toBe(0);
    const [corrupt, gone] = objectFiles(dir).slice(0, 2);
    const bytes = fs.readFileSync(corrupt);
    bytes[0] ^= 0xff;
    fs.writeFileSync(corrupt, bytes);
    fs.rmSync(gone);
    const corruptSha = path.basename(corrupt);
    const goneSha = path.basename(gone);

    const verify = await runArchiver(['verify', '--archive', archive]);
    expect(verify.code).toBe(5);
    expect(verify.summary.corrupt.map((p: any) => p.sha256)).toEqual([corruptSha]);
    expect(verify.summary.missing.map((p: any) => p.sha256)).toEqual([goneSha]);
    expect(
      verify.events
        .filter((e) => e.event === 'corrupt' || e.event === 'missing')
        .map((e) => e.sha256)
        .sort(),
    ).toEqual([corruptSha, goneSha].sort());

    const into = `${work.dir}/damaged-restore`;
    const restore = await runArchiver(['restore', '--from', archive, '--to', `file://${into}`, '--no-jobs']);
    expect(restore.code).toBe(5);
    const source = holdings(blobs);
    const badNames = [...source].filter(([, sha]) => sha === corruptSha || sha === goneSha).map(([n]) => n);
    expect(badNames).toHaveLength(2);
    expect(restore.summary.corrupt.map((p: any) => p.sha256)).toEqual([corruptSha]);
    expect(restore.summary.missing.map((p: any) => p.sha256)).toEqual([goneSha]);
    expect(restore.summary.restored_files).toBe(source.size - 2);
    const restored = holdings(into);
    for (const name of badNames) source.delete(name);
    expect(restored).toEqual(source); // the rest byte-identical, the corrupt one never written
  }, 120_000);
});

function objectFiles(archiveDir: string): string[] {
  const root = path.join(archiveDir, 'objects');
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root)
    .filter((d) => !d.startsWith('.'))
    .flatMap((d) => fs.readdirSync(path.join(root, d)).map((f) => path.join(root, d, f)))
    .sort();
}

function countObjects(archiveDir: string): number {
  return objectFiles(archiveDir).length;
}

/** Job ids of the files a store holds (a file name starts with its job's id). */
function jobIds(held: Map<string, string>): Set<string> {
  return new Set([...held.keys()].map((name) => name.slice(0, 25)));
}
