import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { makeTone, sha256Hex } from '../harness/media';
import { startTestNats, type TestNats } from '../harness/nats';
import { startTestNodes, type TestNodes } from '../harness/nodes';
import { tempDir } from '../harness/temp';
import { isDone, isPatchFrom, isStalled, isUrl, startTusClient } from '../harness/tus-client';

export interface ResumeCase {
  cluster: TestNodes;
  /** The node that receives the upload (and is restarted when `restart`). */
  node: number;
  /** A WAV file on disk. */
  file: string;
  /** PATCH size: the Audius SDK's 100 MB in the long suite, smaller in the smoke test. */
  chunkSize: number;
  /** Where the first client's connection dies (then the process is SIGKILLed). */
  cutAt: number;
  /** Restart the receiving node between the kill and the resume. */
  restart: boolean;
  timeoutMs: number;
}

export interface ResumeOutcome {
  id: string;
  /** The offset HEAD reported after the kill (and the restart). */
  storedOffset: number;
  /** The first PATCH of the resuming process started here. */
  resumedFrom: number;
  /** Body bytes the resuming process sent. */
  resumedSent: number;
  /** GET /uploads/:id once done. */
  upload: any;
  /** The job record (GET /storage/jobs/:id). */
  job: any;
}

/**
 * The interrupted upload: a tus-js-client process uploads `file` to one node and is
 * SIGKILLed once its connection has carried `cutAt` bytes; optionally the node restarts; a
 * new process resumes from the offset the node stores (tus HEAD) and completes; the upload
 * is then polled as the SDK polls it until `done`.
 */
export async function interruptAndResume(c: ResumeCase): Promise<ResumeOutcome> {
  const root = () => c.cluster.nodes[c.node].url;
  const metadata = { filename: 'long.wav', filetype: 'audio/wav', template: 'audio' };
  const common = { endpoint: `${root()}/files/`, file: c.file, metadata, chunkSize: c.chunkSize };
  const first = startTusClient({ ...common, stallAt: c.cutAt });
  let url: string;
  try {
    url = (await first.next(isUrl, c.timeoutMs)).url;
    await first.next(isStalled, c.timeoutMs);
  } finally {
    await first.child.kill();
  }
  if (c.restart) {
    await c.cluster.nodes[c.node].stop();
    await c.cluster.restart(c.node);
  }
  const storedOffset = await headOffset(url);
  const second = startTusClient({ ...common, uploadUrl: url });
  try {
    const done = await second.next(isDone, c.timeoutMs);
    const resumedFrom = (await second.next(isPatchFrom, 1000)).patchFrom;
    const id = url.split('/').pop()!;
    const upload = await pollUpload(root(), id, c.timeoutMs);
    const job = await (await fetch(`${root()}/storage/jobs/${id}`)).json();
    return { id, storedOffset, resumedFrom, resumedSent: done.sent, upload, job };
  } finally {
    await second.child.kill();
  }
}

/** The offset a node holds for a tus upload (HEAD, as a resuming client asks). */
export async function headOffset(url: string): Promise<number> {
  const res = await fetch(url, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } });
  if (res.status !== 200) throw new Error(`HEAD ${url}: ${res.status}`);
  return Number(res.headers.get('upload-offset'));
}

/** GET /uploads/:id every 500 ms until `done` (as the SDK's poller, faster); `error` throws. */
async function pollUpload(root: string, id: string, timeoutMs: number): Promise<any> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const body = (await (await fetch(`${root}/uploads/${id}`)).json()) as any;
    if (body.status === 'done') return body;
    if (body.status === 'error' || Date.now() > end)
      throw new Error(`upload ${id}: ${JSON.stringify(body).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The sha256 of the stored original, read through the seed's route (streamed: 200 MB in the long suite). */
export async function storedOriginalSha256(root: string, job: any): Promise<string> {
  const original = job.results.find((r: any) => r.variant === 'original');
  const res = await fetch(`${root}/storage/long-term/file/${original.name}`);
  if (res.status !== 200) throw new Error(`original ${original.name}: ${res.status}`);
  const hash = createHash('sha256');
  for await (const chunk of Readable.fromWeb(res.body as never)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface ResumeSuite {
  /** Length of the mono 44.1 kHz WAV: 88.2 KB a second. */
  seconds: number;
  chunkSize: number;
  /** Where the first client's connection dies, given the file's size. */
  cutAt(size: number): number;
  /** What the node must hold after the kill, at least. */
  minStored: number;
  timeoutMs: number;
  /** Told each outcome (the long suite prints its figures). */
  onOutcome?(restart: boolean, size: number, out: ResumeOutcome): void;
}

/**
 * The interrupted upload on a one-node cluster, resumed on the same node and then on the
 * node restarted between the kill and the resume (partial uploads live in AUDIUS_DATA_DIR/tus).
 * Checks: the node kept bytes, the new client started from the stored offset and sent only the
 * rest, the job is done with the WAV's duration, and the stored original has the file's sha256.
 */
export function describeResume(suite: ResumeSuite): void {
  describe(`tus: a ${suite.seconds} s WAV cut off by a killed client resumes from the stored offset`, () => {
    let nats: TestNats;
    let cluster: TestNodes;
    const media = tempDir('resume');
    let wav: string;
    let digest: string;

    beforeAll(async () => {
      nats = await startTestNats(1);
      cluster = await startTestNodes(1, nats.urls);
      wav = makeTone(media.dir, 'long.wav', suite.seconds);
      digest = sha256Hex(wav);
    }, 120_000);

    afterAll(async () => {
      await cluster?.stop();
      await nats?.stop();
      media.remove();
    });

    test.each([
      ['the same node', false],
      ['the node restarted in between', true],
    ])(
      'resumed on %s: only the rest is sent, the stored original has the sha256',
      async (_name, restart) => {
        const size = fs.statSync(wav).size;
        const cutAt = suite.cutAt(size);
        const out = await interruptAndResume({ ...suite, cluster, node: 0, file: wav, restart, cutAt });
        suite.onOutcome?.(restart, size, out);
        expect(out.storedOffset).toBeGreaterThanOrEqual(suite.minStored);
        expect(out.storedOffset).toBeLessThanOrEqual(cutAt);
        expect(out.resumedFrom).toBe(out.storedOffset);
        expect(out.resumedSent).toBe(size - out.storedOffset);
        expect(out.upload).toEqual(
          expect.objectContaining({ id: out.id, status: 'done', orig_filename: 'long.wav' }),
        );
        expect(out.upload.probe.format.duration).toBe(String(suite.seconds));
        expect(Object.keys(out.upload.results).sort()).toEqual([
          '320',
          expect.stringMatching(/^320_preview\|\d+$/),
        ]);
        const original = out.job.results.find((r: any) => r.variant === 'original');
        expect([original.size, original.sha256]).toEqual([size, digest]);
        expect(await storedOriginalSha256(cluster.nodes[0].url, out.job)).toBe(digest);
      },
      3 * suite.timeoutMs,
    );
  });
}
