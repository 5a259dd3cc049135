import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Job } from '../../shared/jobs/types';
import { TEMPLATES, isTemplateName } from '../../shared/transcode/templates';
import type { NodeClient, RequestOptions } from '../client';
import { contextOf, withCommonOptions, mapLimit } from '../context';
import { CliError, EXIT, usageError } from '../exit-codes';
import { JobWatch } from '../job-watch';
import { fetchNodes, hostsById } from '../members';
import { multipartUpload } from '../multipart';
import { formatBytes, type Output } from '../output';
import { createProgressBoard, type FileProgress } from '../progress';
import { worstExit } from '../worst-exit';

interface UploadOptions {
  template: string;
  previewStart?: string;
  concurrency: string;
  wait: boolean;
}

interface LocalFile {
  path: string;
  name: string;
  size: number;
}

/** What became of one file: its final job, or why it never became one. */
type Outcome = { file: LocalFile; job: Job } | { file: LocalFile; failure: CliError };

export function registerUpload(program: Command): void {
  withCommonOptions(
    program
      .command('upload')
      .description('upload files, with a progress bar for the upload and then the transcode of each')
      .argument('<files...>', 'audio or image files')
      .requiredOption('-t, --template <template>', `one of ${Object.keys(TEMPLATES).join(', ')}`)
      .option('--preview-start <seconds>', 'audio: where the 30 s preview starts')
      .option('-c, --concurrency <n>', 'files uploaded at once', '3')
      .option('--no-wait', 'return once the node has accepted the files (jobs still pending)')
      .addHelpText(
        'after',
        `
Examples:
  storage upload dub.mp3 --template audio
  storage upload cover.jpg back.png -t img_square --node http://127.0.0.1:9925
  storage upload *.wav -t audio --json > jobs.json

Ctrl-C stops the uploads in flight: the node keeps nothing of them. Jobs it has already
accepted go on (their ids are printed).`,
      ),
  ).action(async (files: string[], options: UploadOptions, command: Command) => {
    process.exitCode = await upload(files, options, command);
  });
}

async function upload(paths: string[], options: UploadOptions, command: Command): Promise<number> {
  const { client, out } = contextOf(command);
  const fields = uploadFields(options);
  const concurrency = positiveInt(options.concurrency, '--concurrency');
  const files = localFiles(paths);
  // An unreachable node is one line before any bar is drawn, not one failure per file.
  await client.request('/health', { accept: [503], timeoutMs: 5000 }).then((res) => res.body?.cancel());
  const watch = options.wait ? await JobWatch.start(client) : null;
  const board = createProgressBoard(out.json ? 'none' : 'auto');
  const stop = new AbortController();
  const accepted: string[] = [];
  const onSigint = () => stop.abort(new CliError(EXIT.interrupted, 'interrupted'));
  process.once('SIGINT', onSigint);
  try {
    const outcomes = await mapLimit(files, concurrency, async (file): Promise<Outcome> => {
      const progress = board.add(file.name, file.size);
      try {
        if (stop.signal.aborted) throw stop.signal.reason;
        const job = await send(client, file, fields, progress, stop.signal);
        accepted.push(job.id);
        progress.uploaded(job.id);
        return { file, job: watch ? await follow(watch, job, progress) : job };
      } catch (err) {
        if (stop.signal.aborted) throw stop.signal.reason;
        const failure = err instanceof CliError ? err : new CliError(EXIT.problem, String(err));
        progress.failed(failure.message);
        return { file, failure };
      }
    });
    board.stop();
    await report(client, out, outcomes);
    return worstExit(
      outcomes.map((o) => ('failure' in o ? o.failure.exitCode : jobExit(o.job, options.wait))),
    );
  } catch (err) {
    board.stop();
    if (!stop.signal.aborted) throw err;
    const kept = accepted.length ? `; jobs already accepted go on: ${accepted.join(', ')}` : '';
    throw new CliError(
      EXIT.interrupted,
      `interrupted: uploads in flight were stopped, the node keeps nothing of them${kept}`,
    );
  } finally {
    process.off('SIGINT', onSigint);
    watch?.close();
  }
}

function uploadFields(options: UploadOptions): Record<string, string> {
  if (!isTemplateName(options.template)) {
    throw usageError(
      `--template must be one of ${Object.keys(TEMPLATES).join(', ')} (got ${JSON.stringify(options.template)})`,
    );
  }
  const fields: Record<string, string> = { template: options.template };
  if (options.previewStart !== undefined) {
    if (!/^\d+(\.\d+)?$/.test(options.previewStart))
      throw usageError('--preview-start takes seconds, e.g. 30');
    fields.preview_start_seconds = options.previewStart;
  }
  return fields;
}

export function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw usageError(`${flag} takes a whole number ≥ 1, not ${text}`);
  return n;
}

/** Every file checked before anything is sent, so a typo uploads nothing. */
function localFiles(paths: string[]): LocalFile[] {
  const missing = paths.filter((p) => !fs.existsSync(p));
  if (missing.length) throw usageError(`no such file: ${missing.join(', ')}`);
  return paths.map((p) => {
    const stat = fs.statSync(p);
    if (!stat.isFile()) throw usageError(`not a file: ${p}`);
    return { path: p, name: path.basename(p), size: stat.size };
  });
}

async function send(
  client: NodeClient,
  file: LocalFile,
  fields: Record<string, string>,
  progress: FileProgress,
  signal: AbortSignal,
): Promise<Job> {
  const form = multipartUpload(file, fields);
  const res = await client.request('/file', {
    method: 'POST',
    headers: { 'content-type': form.contentType, 'content-length': String(form.length) },
    // undici streams an async iterable body; `duplex: 'half'` is what it requires for one.
    body: form.body((sent) => progress.uploading(sent), signal) as unknown as ReadableStream,
    duplex: 'half',
    signal,
    // The upload itself may take long; the node answers once the whole body is stored.
    timeoutMs: 24 * 3600_000,
  } as RequestOptions);
  const jobs = (await res.json()) as Job[];
  if (!Array.isArray(jobs) || jobs.length !== 1) {
    throw new CliError(EXIT.refused, `the node answered ${jobs.length} jobs for one file`);
  }
  return jobs[0];
}

async function follow(watch: JobWatch, job: Job, progress: FileProgress): Promise<Job> {
  return watch.wait(job.id, (update) => {
    if (update.status === 'done' || update.status === 'error') {
      progress.finished(
        update.status,
        update.status === 'done' ? `${update.results.length} results` : (update.error ?? ''),
      );
    } else {
      progress.transcoding(update.transcode_progress ?? 0, update.stage ?? update.status);
    }
  });
}

/** done: 0; error: 1; not waited for: 0 (accepted is all that was asked). */
function jobExit(job: Job, waited: boolean): number {
  if (!waited) return EXIT.ok;
  return job.status === 'done' ? EXIT.ok : EXIT.problem;
}

async function report(client: NodeClient, out: Output, outcomes: Outcome[]): Promise<void> {
  if (out.json) {
    out.data(outcomes.map((o) => ('job' in o ? o.job : { file: o.file.name, error: o.failure.message })));
    return;
  }
  const hosts = await fetchNodes(client, 3000).then(hostsById, () => new Map<string, string>());
  for (const o of outcomes) {
    if ('failure' in o) {
      out.line(`${o.file.name}: ${out.color.red('failed')}: ${o.failure.message}`);
      continue;
    }
    const { job } = o;
    const status =
      job.status === 'done'
        ? out.color.green(job.status)
        : job.status === 'error'
          ? out.color.red(job.status)
          : job.status;
    out.line(`${o.file.name} → job ${job.id} ${status}${job.error ? `: ${job.error}` : ''}`);
    if (job.results.length === 0) continue;
    out.table(
      ['result', 'size', 'sha256', 'holders'],
      job.results.map((r) => [
        r.name,
        formatBytes(r.size),
        r.sha256,
        r.nodes.map((n) => hosts.get(n) ?? n).join(' '),
      ]),
    );
  }
}
