import path from 'node:path';
import { getJson } from '../harness/http';
import { makeTone } from '../harness/media';
import { startTestNats, type TestNats } from '../harness/nats';
import { startTestNodes, type TestNodes } from '../harness/nodes';
import { tempDir } from '../harness/temp';
import { FAST_REPAIR_ENV, makeImages, waitForMembers } from '../repair/cluster';
import { bump, tallyUploads, type ChaosFigures } from './figures';
import { ended, waitForJobsToEnd, waitForPlacement, type SeenJob } from './settle';
import { pool, sendUpload, type UploadItem, type UploadOutcome } from './uploads';
import { removeOrphanWorkDirs, workDirOwner } from '../../shared/workdirs/work-dirs';

/** One chaos run: the cluster, the load and when the faults strike. */
export interface ChaosPlan {
  /** Storage node processes; the last one is killed with SIGKILL. */
  nodes: number;
  natsServers: number;
  replicationFactor: number;
  uploads: number;
  /** Upload requests in flight at once. */
  concurrency: number;
  /** Every `audioEvery`-th upload is audio; the others are images (square and backdrop). */
  audioEvery: number;
  /** Uploads started a second (a steady stream, so the faults meet work at every stage). */
  ratePerSecond: number;
  /** When the storage node is killed, and when the NATS server is, from the first upload. */
  killNodeAtMs: number;
  killNatsAtMs: number;
  /** How long the killed NATS server stays down before it is started again. */
  natsDownMs: number;
  /** Every acknowledged job ends within this after the last upload was answered. */
  settleBoundMs: number;
  /** Then every done job's results are on all current owners within this. */
  repairBoundMs: number;
}

/**
 * Node settings of a chaos run: production defaults, except that membership and repair act
 * within seconds (a dead node leaves the ring after 3 s, repair passes every 2 s) and a job a
 * dead worker held is redelivered after 10 s instead of 30 s, so a run ends in minutes.
 */
export const CHAOS_NODE_ENV = {
  ...FAST_REPAIR_ENV,
  AUDIUS_ACK_WAIT_SECONDS: '10',
  AUDIUS_FFMPEG_THREADS: '1',
};

/**
 * Issue 15's chaos scenario (`npm run chaos`, and its smoke version in `npm test`): real
 * nats-server and storage node processes on 127.0.0.1; uploads of audio and images in flight
 * while one storage node is killed (SIGKILL) and, separately, one NATS server is killed and
 * started again. Every upload's answer is counted; every acknowledged job is followed until
 * it ends; every done job's results are looked for, sha256 read from disk, on the owners the
 * live ring names. Stops only the processes it started.
 */
export async function runChaos(
  plan: ChaosPlan,
  log: (line: string) => void = () => undefined,
): Promise<ChaosFigures> {
  const media = tempDir('chaos');
  let nats: TestNats | undefined;
  let cluster: TestNodes | undefined;
  let ids: string[] = [];
  try {
    const items = await makeLoad(plan, media.dir);
    nats = await startTestNats(plan.natsServers);
    cluster = await startTestNodes(plan.nodes, nats.urls, {
      ...CHAOS_NODE_ENV,
      AUDIUS_REPLICATION_FACTOR: String(plan.replicationFactor),
    });
    const c = cluster;
    const urls = c.nodes.map((n) => n.url);
    ids = await Promise.all(urls.map(async (u) => (await getJson(`${u}/storage/health`)).body.nodeId));
    await waitForMembers(urls, plan.nodes);
    log(`cluster up: ${plan.nodes} nodes, ${plan.natsServers} NATS servers`);
    return await underFaults(plan, items, c, nats, ids, log);
  } catch (err) {
    if (cluster) log(cluster.output.slice(-30).join('\n'));
    throw err;
  } finally {
    await cluster?.stop();
    await nats?.stop();
    media.remove();
    // The killed node's transcodes left their work directories (its next start would remove them).
    for (const id of ids) removeOrphanWorkDirs(workDirOwner(id));
  }
}

async function underFaults(
  plan: ChaosPlan,
  items: UploadItem[],
  cluster: TestNodes,
  nats: TestNats,
  ids: string[],
  log: (line: string) => void,
): Promise<ChaosFigures> {
  const victim = plan.nodes - 1;
  let live = cluster.nodes.map((_, i) => i);
  const liveUrls = () => live.map((i) => cluster.nodes[i].url);
  const outcomes: UploadOutcome[] = [];
  const jobs: SeenJob[] = [];
  const requests: Span[] = [];
  const started = Date.now();
  const faults = { nodeKilledAtMs: -1, natsKilledAtMs: -1, natsBackAtMs: -1 };
  const at = (ms: number, fault: () => Promise<void>) => new Promise((r) => setTimeout(r, ms)).then(fault);
  const pending = [at(plan.killNodeAtMs, killNode), at(plan.killNatsAtMs, bounceNats)];

  await pool(plan.uploads, plan.concurrency, async (i) => {
    const due = started + (i * 1000) / plan.ratePerSecond;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    // A client sends to the nodes still up (a load balancer's view): the victim refuses connections.
    const urls = liveUrls();
    const sentAt = Date.now();
    const outcome = await sendUpload(urls[i % urls.length], items[i], 120_000);
    outcomes.push(outcome);
    requests.push({ from: sentAt, to: Date.now() });
    if (outcome.kind === 'acknowledged')
      outcome.jobIds.forEach((id) => jobs.push({ id, acknowledgedAt: outcome.at }));
  });
  await Promise.all(pending);
  const lastAnswer = Date.now();
  log(`uploads answered after ${((lastAnswer - started) / 1000).toFixed(1)} s; waiting for the jobs`);

  async function killNode() {
    await cluster.nodes[victim].kill();
    live = live.filter((i) => i !== victim);
    faults.nodeKilledAtMs = Date.now() - started;
    log(`node${victim + 1} killed (SIGKILL) at ${faults.nodeKilledAtMs} ms`);
  }
  async function bounceNats() {
    await nats.servers[1].kill();
    faults.natsKilledAtMs = Date.now() - started;
    log(`nats2 killed (SIGKILL) at ${faults.natsKilledAtMs} ms`);
    await new Promise((r) => setTimeout(r, plan.natsDownMs));
    await nats.restart(1);
    faults.natsBackAtMs = Date.now() - started;
    log(`nats2 back at ${faults.natsBackAtMs} ms`);
  }

  const pollAnswers = new Map<number, number>();
  await waitForJobsToEnd(jobs, liveUrls, plan.settleBoundMs, pollAnswers);
  const settleMs = Math.max(0, ...jobs.filter(ended).map((j) => (j.finishedAt ?? lastAnswer) - lastAnswer));
  log(`jobs ended (${jobs.filter(ended).length} of ${jobs.length}); checking the owners' disks`);
  const slowest = [...jobs].sort((a, b) => took(b) - took(a))[0];
  for (const j of [...jobs.filter((j) => !ended(j)), ...(slowest ? [slowest] : [])]) {
    log(`${whereItStands(j)}\n${cluster.output.filter((l) => l.includes(j.id)).join('\n')}`);
  }
  const placement = await waitForPlacement(
    jobs,
    live.map((i) => ({ id: ids[i], blobs: path.join(cluster.dir, `node${i + 1}`, 'blobs') })),
    plan.replicationFactor,
    plan.repairBoundMs,
  );
  const busy = (ms: number) => inFlight(started + ms, requests, jobs);
  return figures(plan, items, outcomes, jobs, pollAnswers, placement, {
    faults,
    inFlight: { atNodeKill: busy(faults.nodeKilledAtMs), atNatsKill: busy(faults.natsKilledAtMs) },
    settleMs,
    wallMs: Date.now() - started,
  });
}

function figures(
  plan: ChaosPlan,
  items: UploadItem[],
  outcomes: UploadOutcome[],
  jobs: SeenJob[],
  pollAnswers: Map<number, number>,
  placement: { ms: number | null; missing: string[] },
  times: Pick<ChaosFigures, 'faults' | 'inFlight' | 'settleMs' | 'wallMs'>,
): ChaosFigures {
  const uploads = tallyUploads(outcomes);
  const errorReasons: Record<string, number> = {};
  jobs.filter((j) => j.status === 'error').forEach((j) => bump(errorReasons, j.error ?? '(no reason)'));
  return {
    nodes: plan.nodes,
    natsServers: plan.natsServers,
    uploads: {
      sent: outcomes.length,
      audio: items.filter((i) => i.template === 'audio').length,
      images: items.filter((i) => i.template !== 'audio').length,
    },
    ...uploads,
    answered500: uploads.answered500 + (pollAnswers.get(500) ?? 0),
    jobs: {
      done: jobs.filter((j) => j.status === 'done').length,
      error: jobs.filter((j) => j.status === 'error').length,
      errorReasons,
    },
    stuck: jobs.filter((j) => !ended(j) && !j.missing).map(whereItStands),
    lost: [
      ...jobs.filter((j) => j.missing).map((j) => `${j.id}: no job record`),
      ...placement.missing.map((m) => `${m}: not on this current owner`),
    ],
    maxJobMs: Math.max(0, ...jobs.filter(ended).map(took)),
    repairMs: placement.ms,
    ...times,
  };
}

/** Distinct images and a few short tones, in the order they are sent. */
async function makeLoad(plan: ChaosPlan, dir: string): Promise<UploadItem[]> {
  const audio = Math.ceil(plan.uploads / plan.audioEvery);
  const images = await makeImages(dir, plan.uploads - audio, 'chaos');
  const tones = [1, 2, 3].map((s) => makeTone(dir, `tone${s}.mp3`, s));
  const items: UploadItem[] = [];
  for (let i = 0, a = 0, m = 0; i < plan.uploads; i++) {
    if (i % plan.audioEvery === 0) items.push({ file: tones[a++ % tones.length], template: 'audio' });
    else items.push({ file: images[m], template: m++ % 4 === 3 ? 'img_backdrop' : 'img_square' });
  }
  return items;
}

interface Span {
  from: number;
  to: number;
}

/**
 * What was in flight at `t`: upload requests open, and acknowledged jobs not yet ended
 * (measured after the run from the answers' and the jobs' times).
 */
function inFlight(t: number, requests: Span[], jobs: SeenJob[]): { requests: number; jobs: number } {
  return {
    requests: requests.filter((r) => r.from <= t && t < r.to).length,
    jobs: jobs.filter((j) => j.acknowledgedAt <= t && t < (j.finishedAt ?? Infinity)).length,
  };
}

function whereItStands(j: SeenJob): string {
  const held = j.last?.results.map((r) => r.nodes.length).join('/') ?? '-';
  return `${j.id} ${j.status} stage ${j.last?.stage} attempts ${j.last?.attempts} worker ${j.last?.transcode_worker_id?.slice(0, 8)} holders ${held}`;
}

/** Acknowledged → ended (0 for a job that did not end: those are counted as stuck). */
const took = (j: SeenJob) => (ended(j) && j.finishedAt ? j.finishedAt - j.acknowledgedAt : 0);
