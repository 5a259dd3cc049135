import path from 'node:path';
import ffmpeg from 'fluent-ffmpeg';
import { knowsStatsPeriod, mediaBinary } from './binaries';

/**
 * The only module that knows how ffmpeg and ffprobe are started (DESIGN §9: fluent-ffmpeg is
 * archived, so it stays behind this file and can be swapped for `spawn` without touching a
 * caller). Callers describe a run as data (`FfmpegInvocation`); this module adds the
 * plumbing flags, runs it, reports `-progress` blocks, and guarantees that when a returned
 * promise settles the process has exited — on success, failure, timeout and abort alike.
 * (ffprobe is started by ./ffprobe.ts, without fluent.)
 */

/** One ffmpeg run: one input file, one or more output files. */
export interface FfmpegInvocation {
  /** Options placed before `-i` (ffmpeg also accepts its global options there). */
  inputOptions: string[];
  /** Input file path; passed as `file:<absolute path>` so no other protocol can be chosen. */
  input: string;
  outputs: { options: string[]; path: string }[];
}

/** One `-progress` block. */
export interface FfmpegProgress {
  /** Media time written so far (`out_time_us`), in seconds; null while ffmpeg reports N/A. */
  outTimeSeconds: number | null;
  /** True for the last block (`progress=end`). */
  done: boolean;
}

export interface FfmpegRunOptions {
  timeoutMs: number;
  /** Abort kills the process (SIGKILL) and rejects with `signal.reason` once it has exited. */
  signal?: AbortSignal;
  onProgress?: (progress: FfmpegProgress) => void;
  /** Called with the command line once the process exists (for logs). */
  onStart?: (commandLine: string) => void;
}

export interface FfmpegRunResult {
  /** The `progress=end` block, null if ffmpeg never printed one. */
  last: FfmpegProgress | null;
  /** Non-progress stderr lines (with `-loglevel error`: the errors), last 20. */
  stderr: string[];
}

/**
 * Why a run failed: `exit` (non-zero status), `killed` (a signal we did not send, e.g. the
 * OOM killer), `timeout` (we killed it), `spawn` (the binary could not be started).
 */
export class FfmpegFailure extends Error {
  constructor(
    readonly kind: 'exit' | 'killed' | 'timeout' | 'spawn',
    message: string,
    readonly stderr: string[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'FfmpegFailure';
  }

  /** The last stderr line that says something, for a person to read. */
  get reason(): string {
    return this.stderr.at(-1) ?? this.message;
  }
}

/**
 * Flags every run gets: errors only on stderr, no interactive stdin, and machine-readable
 * progress on stderr 4 times a second (the spec's throttle for progress updates).
 */
function plumbing(binary: string): string[] {
  return [
    ...['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error'],
    ...['-progress', 'pipe:2', ...(knowsStatsPeriod(binary) ? ['-stats_period', '0.25'] : [])],
    // fluent adds -y only for outputs it sees as plain files, and `file:` paths are not.
    '-y',
  ];
}

const STDERR_LINES_KEPT = 20;

export function ffmpegBinary(): string {
  return mediaBinary('ffmpeg');
}

/** The exact argv (after the binary) that `runFfmpeg` starts, in fluent-ffmpeg's order. */
export function ffmpegArgv(invocation: FfmpegInvocation): string[] {
  return [
    ...plumbing(ffmpegBinary()),
    ...invocation.inputOptions,
    '-i',
    fileUrl(invocation.input),
    ...invocation.outputs.flatMap((o) => [...o.options, fileUrl(o.path)]),
  ];
}

export function runFfmpeg(invocation: FfmpegInvocation, options: FfmpegRunOptions): Promise<FfmpegRunResult> {
  options.signal?.throwIfAborted();
  const command = buildCommand(invocation);
  return new Promise<FfmpegRunResult>((resolve, reject) => {
    const stderr: string[] = [];
    const progress = progressParser((p) => options.onProgress?.(p));
    let last: FfmpegProgress | null = null;
    let started = false;
    let stopping: 'abort' | 'timeout' | undefined;

    const stop = (why: 'abort' | 'timeout') => {
      stopping ??= why;
      // Before 'start' there is no process yet: the 'start' handler kills it instead.
      if (started) command.kill('SIGKILL');
    };
    const onAbort = () => stop('abort');
    const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const settle = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };

    command.on('start', (commandLine: string) => {
      started = true;
      options.onStart?.(commandLine);
      if (stopping) command.kill('SIGKILL');
    });
    command.on('stderr', (line: string) => {
      const block = progress(line);
      if (block === 'not-progress') {
        if (line.trim() !== '') stderr.push(line.trim());
        if (stderr.length > STDERR_LINES_KEPT) stderr.shift();
      } else if (block?.done) {
        last = block;
      }
    });
    // fluent emits 'end'/'error' only after the process exited and its pipes closed.
    command.on('end', () => {
      settle();
      if (stopping) reject(stoppedError(stopping, options, stderr));
      else resolve({ last, stderr });
    });
    command.on('error', (err: Error) => {
      settle();
      if (stopping) reject(stoppedError(stopping, options, stderr));
      else reject(classify(err, stderr));
    });
    command.run();
  });
}

function buildCommand(invocation: FfmpegInvocation): ffmpeg.FfmpegCommand {
  const command = ffmpeg({ stdoutLines: STDERR_LINES_KEPT });
  const binary = ffmpegBinary();
  command.setFfmpegPath(binary);
  command.input(fileUrl(invocation.input));
  addOptions(command.inputOptions.bind(command), [...plumbing(binary), ...invocation.inputOptions]);
  for (const output of invocation.outputs) {
    command.output(fileUrl(output.path));
    addOptions(command.outputOptions.bind(command), output.options);
  }
  return command;
}

/**
 * fluent splits a lone array element on its one space (`title=My Song` would become two
 * arguments); passing the options as separate arguments turns that off.
 */
function addOptions(add: (...options: string[]) => unknown, options: string[]): void {
  if (options.length === 1) throw new Error(`pass options as flag/value pairs: ${options[0]}`);
  if (options.length > 0) add(...options);
}

function stoppedError(why: 'abort' | 'timeout', options: FfmpegRunOptions, stderr: string[]): unknown {
  if (why === 'abort') return options.signal?.reason;
  return new FfmpegFailure('timeout', `ffmpeg did not finish within ${options.timeoutMs} ms`, stderr);
}

function classify(err: Error, stderr: string[]): FfmpegFailure {
  if (/killed with signal/.test(err.message))
    return new FfmpegFailure('killed', err.message, stderr, { cause: err });
  if (/exited with code/.test(err.message)) {
    return new FfmpegFailure('exit', err.message.split(':')[0], stderr, { cause: err });
  }
  return new FfmpegFailure('spawn', `ffmpeg could not be started: ${err.message}`, stderr, { cause: err });
}

/** Feeds stderr lines; returns a block when one completes, 'not-progress' for other lines. */
function progressParser(
  emit: (p: FfmpegProgress) => void,
): (line: string) => FfmpegProgress | 'not-progress' | null {
  let outTimeUs: string | undefined;
  return (line) => {
    const match = /^([a-z0-9_]+)=(.*)$/.exec(line.trim());
    if (!match) return 'not-progress';
    const [, key, value] = match;
    if (key === 'out_time_us') outTimeUs = value.trim();
    if (key !== 'progress') return null;
    const us = outTimeUs === undefined ? NaN : Number(outTimeUs);
    const block = {
      outTimeSeconds: Number.isFinite(us) ? Math.max(0, us) / 1e6 : null,
      done: value === 'end',
    };
    outTimeUs = undefined;
    emit(block);
    return block;
  };
}

/** `file:` stops ffmpeg reading `a:b.wav` as protocol `a`; absolute so cwd never matters. */
export function fileUrl(filePath: string): string {
  return `file:${path.resolve(filePath)}`;
}
