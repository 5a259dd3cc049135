import { spawn } from 'node:child_process';
import path from 'node:path';
import { mediaBinary } from './binaries';
import { FfmpegFailure, fileUrl } from './ffmpeg';

/**
 * ffprobe, spawned directly: fluent-ffmpeg's `ffprobe()` can be neither aborted nor timed
 * out, and parses ffprobe's INI output where we want `-print_format json`. Same contract as
 * runFfmpeg: a returned promise settles only after the process has exited.
 */

export function ffprobeBinary(): string {
  return mediaBinary('ffprobe');
}

const STDERR_LINES_KEPT = 20;

interface ProcessResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs ffprobe with JSON output. Rejects with `FfmpegFailure` (exit/timeout/spawn) or the
 * abort reason; like `runFfmpeg`, only after the process has exited.
 */
export async function runFfprobe(
  args: string[],
  input: string,
  options: { signal?: AbortSignal; timeoutMs: number },
): Promise<unknown> {
  const argv = ['-hide_banner', '-v', 'error', '-print_format', 'json', ...args, '-i', fileUrl(input)];
  const { stdout } = await runProcess(ffprobeBinary(), argv, options);
  try {
    return JSON.parse(stdout) as unknown;
  } catch (err) {
    throw new FfmpegFailure('exit', 'ffprobe printed something that is not JSON', [], { cause: err });
  }
}

const MAX_STDOUT = 16 * 1024 * 1024;

function runProcess(
  binary: string,
  argv: string[],
  options: { signal?: AbortSignal; timeoutMs: number },
): Promise<ProcessResult> {
  options.signal?.throwIfAborted();
  return new Promise((resolve, reject) => {
    const child = spawn(binary, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    let stopping: 'abort' | 'timeout' | 'overflow' | undefined;
    let spawnError: Error | undefined;
    const stop = (why: 'abort' | 'timeout' | 'overflow') => {
      stopping ??= why;
      child.kill('SIGKILL');
    };
    const onAbort = () => stop('abort');
    const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > MAX_STDOUT) stop('overflow');
      else out.push(chunk);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (err.length < 64 * 1024) err += chunk;
    });
    child.on('error', (e) => (spawnError = e));
    // 'close' comes after 'exit' and after the pipes closed, also when spawning failed.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      const lines = err
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .slice(-STDERR_LINES_KEPT);
      const name = path.basename(binary);
      if (stopping === 'abort') return reject(options.signal?.reason);
      if (stopping === 'timeout') {
        return reject(
          new FfmpegFailure('timeout', `${name} did not finish within ${options.timeoutMs} ms`, lines),
        );
      }
      if (stopping === 'overflow')
        return reject(new FfmpegFailure('exit', `${name} printed more than 16 MiB`, lines));
      if (spawnError) {
        return reject(
          new FfmpegFailure('spawn', `${name} could not be started: ${spawnError.message}`, lines),
        );
      }
      if (signal)
        return reject(new FfmpegFailure('killed', `${name} was killed with signal ${signal}`, lines));
      if (code !== 0) return reject(new FfmpegFailure('exit', `${name} exited with code ${code}`, lines));
      resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: err });
    });
  });
}
