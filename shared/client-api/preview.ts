import fs from 'node:fs';
import path from 'node:path';
import { cidIndex } from '../cid/cid-index';
import { cidOfSha256 } from '../cid/cid';
import { StorageError } from '../errors';
import { ORIGINAL_VARIANT } from '../jobs/original';
import { JOB_STATUS, type Job, type JobResult } from '../jobs/types';
import { SUBJECTS } from '../nats/names';
import { putTempObject } from '../nats/temp-objects';
import type { Services } from '../runtime/services';
import { planAudio } from '../transcode/audio-plan';
import { runFfmpeg } from '../transcode/ffmpeg';
import { probeMedia } from '../transcode/probe';
import { hashFile } from '../transcode/scratch';
import { makeWorkDir, workDirOwner } from '../workdirs/work-dirs';
import { resolveCid } from './cids';
import { fetchResult } from './fetch-result';
import { madePreviewVariant } from './variants';

/** How long generate_preview waits for the first stored copy before answering. */
const STORED_WAIT_MS = 60_000;
const FFMPEG_TIMEOUT_MS = 5 * 60_000;

/**
 * `POST /generate_preview/:cid/:seconds` (mediorum): a new 30 s preview of the track `cid`
 * belongs to, starting at `seconds`, made with the audio template's encoding from the kept
 * original (else the 320 MP3), stored and replicated as one more result of the job
 * (`<id>_preview<ms>.mp3`), indexed under its CID. Answers once a copy is stored.
 */
export async function generatePreview(s: Services, cid: string, secondsText: string, signal: AbortSignal) {
  const seconds = Number(secondsText);
  if (
    secondsText.trim() === '' ||
    !Number.isFinite(seconds) ||
    seconds < 0 ||
    seconds > s.config.maxAudioSeconds
  )
    throw new StorageError(
      'VALIDATION_FAILED',
      `seconds must be a number from 0 to ${s.config.maxAudioSeconds}`,
    );
  const entry = await resolveCid(s, cid);
  const job = await s.jobs.require(entry.id);
  if (job.template !== 'audio') throw new StorageError('BAD_VARIANT', `${cid} is not a track`);
  if (job.status !== JOB_STATUS.done) throw new StorageError('NOT_READY', `upload ${job.id} is not done yet`);
  const variant = madePreviewVariant(seconds);
  const made =
    job.results.find((r) => r.variant === variant) ?? (await makePreview(s, job, seconds, variant, signal));
  await waitForCopy(s, job.id, made.name);
  return {
    cid: cidOfSha256(made.sha256),
    SourceCID: cid,
    PreviewStartSeconds: String(seconds),
    created_by: s.config.host,
    created_at: new Date().toISOString(),
  };
}

async function makePreview(s: Services, job: Job, seconds: number, variant: string, signal: AbortSignal) {
  const source =
    job.results.find((r) => r.variant === ORIGINAL_VARIANT) ?? job.results.find((r) => r.variant === '320');
  if (!source)
    throw new StorageError('FILE_NOT_FOUND', `upload ${job.id} keeps no audio to cut a preview from`);
  const workDir = makeWorkDir('preview', workDirOwner(s.identity.address), job.id);
  try {
    const input = path.join(workDir, 'source');
    await fetchResult(s, source, input, signal);
    const probe = await probeMedia(input, signal);
    const plan = planAudio(probe, {
      input,
      outDir: workDir,
      id: job.id,
      previewStartSeconds: seconds,
      maxDurationSeconds: s.config.maxAudioSeconds,
      threads: s.config.ffmpegThreads,
    });
    const output = plan.invocation.outputs[1]; // the preview; the 320 output is not wanted here
    await runFfmpeg({ ...plan.invocation, outputs: [output] }, { timeoutMs: FFMPEG_TIMEOUT_MS, signal });
    return await recordPreview(s, job, variant, output.path);
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

/** The preview as a result of the job, announced to the storers as any result is. */
async function recordPreview(s: Services, job: Job, variant: string, file: string): Promise<JobResult> {
  const name = `${job.id}_${variant}.mp3`;
  const { sha256, size } = await hashFile(file);
  const bucket = job.source_info.bucket;
  const put = await putTempObject(s.nats, bucket, { name, description: variant }, fs.createReadStream(file));
  if (put.sha256 !== sha256)
    throw new StorageError('INTERNAL', `${name} changed on its way to the temp store`);
  const result: JobResult = {
    name,
    variant,
    size,
    content_type: 'audio/mpeg',
    sha256,
    bucket,
    shard: job.results[0].shard,
    nodes: [],
  };
  const updated = await s.jobs.update(job.id, (j) =>
    j.results.some((r) => r.name === name) ? null : { ...j, results: [...j.results, result] },
  );
  await (await cidIndex(s.nats)).add(job.id, [result]);
  await s.nats.js.publish(SUBJECTS.result(job.template), JSON.stringify({ id: job.id }), {
    msgID: `${job.id}.${variant}`,
  });
  return updated.results.find((r) => r.name === name) ?? result;
}

async function waitForCopy(s: Services, id: string, name: string): Promise<void> {
  const until = Date.now() + STORED_WAIT_MS;
  while (Date.now() < until) {
    const job = await s.jobs.get(id);
    if (job?.results.find((r) => r.name === name)?.nodes.length) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new StorageError('NOT_READY', `the preview ${name} is made but not stored yet; ask again`);
}
