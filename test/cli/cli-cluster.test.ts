import fs from 'node:fs';
import path from 'node:path';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { freePort } from '../../shared/local/ports';
import { BUCKETS } from '../../shared/nats/names';
import { getJson } from '../harness/http';
import sharp from 'sharp';
import { makeTone, sha256Hex } from '../harness/media';
import { startTestNats, type TestNats } from '../harness/nats';
import { startTestNodes, type TestNodes } from '../harness/nodes';
import { tempDir } from '../harness/temp';
import { frames, runCli, runCliOnPty } from './run-cli';

/**
 * The CLI against a real 3-node cluster (issue 17, "What it must show"): uploads through
 * `storage upload` with the progress drawn on a pseudo-terminal, --json against the API,
 * ring agreement and a made disagreement, health with a stopped node, and bad input.
 */
describe('storage CLI on a 3-node cluster', () => {
  let nats: TestNats;
  let cluster: TestNodes;
  let base: string;
  const media = tempDir('cli-media');
  let audio: string;
  let image: string;

  beforeAll(async () => {
    nats = await startTestNats(1);
    cluster = await startTestNodes(3, nats.urls, {
      AUDIUS_HEARTBEAT_SECONDS: '1',
      AUDIUS_HEALTH_TTL_SECONDS: '4',
    });
    base = cluster.nodes[0].url;
    // Two minutes of stereo WAV (~21 MB): long enough that upload and transcode both take visible time.
    audio = makeTone(media.dir, 'dub track.wav', 120, ['-ac', '2']);
    // A real JPEG from sharp (the image templates' own library).
    image = path.join(media.dir, 'cover.jpg');
    await sharp({ create: { width: 1200, height: 1200, channels: 3, background: '#3a6' } })
      .jpeg()
      .toFile(image);
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
    await nats?.stop();
    media.remove();
  });

  test('upload on a terminal: the bars move through upload and transcode, and the results are listed', async () => {
    const run = await runCliOnPty(['upload', audio, '--template', 'audio', '--node', base]);
    expect(run.code).toBe(0);
    const shown = frames(run.stdout);
    const percents = (phase: string) =>
      shown
        .filter((f) => f.startsWith('dub track.wav') && new RegExp(`\\s${phase}\\s`).test(f))
        .map((f) => Number(/\s(\d+)%/.exec(f)?.[1]));
    const upload = percents('upload');
    // Moving: several different values strictly between 0 and 100, in order, and then 100.
    const between = [...new Set(upload.filter((p) => p > 0 && p < 100))];
    expect(between.length).toBeGreaterThanOrEqual(2);
    expect(between).toEqual([...between].sort((a, b) => a - b));
    expect(upload).toContain(100);
    expect(shown.some((f) => /upload .* MB\/s ETA/.test(f))).toBe(true);
    expect(percents('transcode').length).toBeGreaterThan(0);
    // The summary: the job done and both results with their digests, as the API records them.
    const id = /job ([0-9a-z]{25}) done/.exec(shown.join('\n'))?.[1] as string;
    expect(id).toBeDefined();
    const { body: job } = await getJson(`${base}/storage/jobs/${id}`);
    expect(job.status).toBe('done');
    for (const r of job.results)
      expect(shown.some((f) => f.includes(r.name) && f.includes(r.sha256))).toBe(true);
  });

  test('upload --json is the API’s job record, and job/jobs/get agree with the API', async () => {
    const run = await runCli(['upload', image, '-t', 'img_square', '--json', '--node', base]);
    expect(run.code).toBe(0);
    const [job] = JSON.parse(run.stdout);
    const { body: api } = await getJson(`${base}/storage/jobs/${job.id}`);
    expect(job.status).toBe('done');
    expect(pick(job)).toEqual(pick(api));
    expect(job.results.map((r: any) => r.name).sort()).toEqual(
      ['150', '480', '1000'].map((v) => `${job.id}_${v}.jpg`).sort(),
    );

    const one = await runCli(['job', job.id, '--json', '--node', cluster.nodes[1].url]);
    expect(one.code).toBe(0);
    const { body: placement } = await getJson(`${base}/storage/job-results/${job.id}`);
    expect(JSON.parse(one.stdout).results).toEqual(placement);

    const list = await runCli(['jobs', '--status', 'done', '--json', '--node', base]);
    expect(JSON.parse(list.stdout).map((j: any) => j.id)).toContain(job.id);

    const result = api.results.find((r: any) => r.name.endsWith('_1000.jpg'));
    const out = path.join(media.dir, 'fetched.jpg');
    const got = await runCli(['get', result.name, '-o', out, '--json', '--node', base]);
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({
      sha256: result.sha256,
      size: result.size,
      verified: true,
    });
    expect(sha256Hex(out)).toBe(result.sha256);

    const where = await runCli(['where', result.name, '--json', '--node', base]);
    expect(where.code).toBe(0);
    const holdings = JSON.parse(where.stdout).holdings.filter((h: any) => h.files.length === 1);
    expect(holdings.map((h: any) => h.nodeId).sort()).toEqual([...result.nodes].sort());
  });

  test('ring --diff: agreement, then the disagreement of a node started with another R', async () => {
    const agree = await runCli(['ring', '--diff', '--node', base]);
    expect(agree.code).toBe(0);
    expect(agree.stdout).toMatch(/^agree: 3 nodes, one ring [0-9a-f]{12}, the same 3 healthy members/);

    const odd = await startTestNodes(1, nats.urls, {
      AUDIUS_REPLICATION_FACTOR: '2',
      AUDIUS_HEARTBEAT_SECONDS: '1',
    });
    const oddId: string = (await getJson(`${odd.nodes[0].url}/storage/health`)).body.nodeId;
    try {
      // Wait until every node counts the newcomer healthy, so only the rings differ.
      await waitUntil(async () => {
        const views = await Promise.all(cluster.nodes.map((n) => getJson(`${n.url}/storage/nodes`)));
        return views.every((v) => v.body.nodes.some((m: any) => m.nodeId === oddId && m.healthy));
      });
      const differ = await runCli(['ring', '--diff', '--json', '--node', base]);
      expect(differ.code).toBe(1);
      const report = JSON.parse(differ.stdout);
      expect(report.agreement.agree).toBe(false);
      expect(report.agreement.fingerprints.map((g: any) => g.viewers.length)).toEqual([3, 1]);
      expect(report.agreement.fingerprints[1].viewers).toEqual([oddId]);
      expect(report.differences[0].shardsDiffering).toBeGreaterThan(0);
      const text = await runCli(['ring', '--diff', '--node', base]);
      expect(text.code).toBe(1);
      expect(text.stdout).toMatch(/^DISAGREEMENT\nring fingerprints differ \(2 rings\):/);
      expect(text.stdout).toContain(`seen by ${oddId}`);
    } finally {
      await odd.stop();
      // Decommissioned, as an operator would (`nats kv del nodes <id>`): the cluster is as it was.
      await forgetNode(nats.urls, oddId);
      await waitUntil(async () => {
        const views = await Promise.all(cluster.nodes.map((n) => getJson(`${n.url}/storage/nodes`)));
        return views.every((v) => !v.body.nodes.some((m: any) => m.nodeId === oddId));
      });
    }
  });

  test('bad input: one line on stderr and a meaningful exit status', async () => {
    const deadPort = await freePort();
    const cases: [string[], number, RegExp][] = [
      [
        ['upload', path.join(media.dir, 'nope.mp3'), '-t', 'audio', '--node', base],
        2,
        /^storage: no such file: .*nope\.mp3$/,
      ],
      [
        ['upload', audio, '-t', 'mp3', '--node', base],
        2,
        /^storage: --template must be one of audio, img_square, img_backdrop/,
      ],
      [
        ['upload', audio, '-t', 'audio', '--node', `http://127.0.0.1:${deadPort}`],
        3,
        /^storage: node http:\/\/127\.0\.0\.1:\d+ is unreachable: ECONNREFUSED$/,
      ],
      [['health', '--node', 'not a url'], 2, /^storage: --node: not a URL: "not a url"/],
      [['jobs', '--node', 'ftp://127.0.0.1'], 2, /^storage: --node: only http:\/\/ and https:\/\//],
      [['job', 'x'.repeat(25), '--node', base], 4, /^storage: \/jobs\/x{25} answered 404 JOB_NOT_FOUND: /],
      [['uplod'], 2, /^storage: unknown command 'uplod'/],
    ];
    for (const [args, code, line] of cases) {
      const run = await runCli(args, { STORAGE_NODE_URL: '' });
      expect({ args, code: run.code, lines: run.stderr.trimEnd().split('\n').length }).toEqual({
        args,
        code,
        lines: 1,
      });
      expect(run.stderr.trimEnd()).toMatch(line);
    }
    // STORAGE_NODE_URL is used when --node is absent.
    const viaEnv = await runCli(['nodes', '--json'], { STORAGE_NODE_URL: `${base}/storage` });
    expect(viaEnv.code).toBe(0);
    expect(JSON.parse(viaEnv.stdout).nodes).toHaveLength(3);
  });

  test('health: every node one line, exit 0; a stopped node makes it exit 1', async () => {
    const all = await runCli(['health', '--node', base]);
    expect(all.code).toBe(0);
    expect(all.stdout.trimEnd().split('\n')).toHaveLength(4);
    expect(all.stdout).toMatch(/3 of 3 healthy\n$/);

    const stopped = cluster.nodes[2];
    const stoppedId = (await getJson(`${stopped.url}/storage/health`)).body.nodeId;
    await stopped.stop(10_000);
    const after = await runCli(['health', '--json', '--node', base]);
    expect(after.code).toBe(1);
    const report = JSON.parse(after.stdout);
    expect(report.healthy).toBe(false);
    expect(report.nodes.filter((n: any) => !n.healthy).map((n: any) => n.nodeId)).toEqual([stoppedId]);
    const text = await runCli(['health', '--node', base]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(new RegExp(`✗ unhealthy ${stoppedId} .* left \\(stopped\\)`));
  });
});

/** The fields of a job the CLI may rely on (issue 17: #15a may redact the rest for the public). */
function pick(job: any) {
  return {
    id: job.id,
    status: job.status,
    template: job.template,
    created_at: job.created_at,
    results: job.results.map((r: any) => ({ name: r.name, size: r.size, sha256: r.sha256 })),
  };
}

async function forgetNode(servers: string[], nodeId: string): Promise<void> {
  const nc = await connect({ servers });
  try {
    const kv = await new Kvm(nc).open(BUCKETS.nodes);
    await kv.delete(nodeId);
  } finally {
    await nc.close();
  }
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

afterAll(() => {
  // Temp media and downloads live under the suite's temp dir; nothing else is written.
  expect(fs.existsSync(path.join(process.cwd(), 'fetched.jpg'))).toBe(false);
});
