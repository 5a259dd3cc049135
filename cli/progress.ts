import { MultiBar, type Options, type Params } from 'cli-progress';
import { formatBytes, formatSeconds } from './output';

/** One file's line: its upload (bytes, rate, ETA), then its transcode (`transcode_progress`). */
export interface FileProgress {
  uploading(sent: number): void;
  uploaded(jobId: string): void;
  transcoding(fraction: number, status: string): void;
  finished(status: 'done' | 'error', detail: string): void;
  /** The file never became a job (refused, unreachable); the summary says why. */
  failed(reason: string): void;
}

export interface ProgressBoard {
  add(name: string, size: number): FileProgress;
  stop(): void;
}

interface Payload {
  name: string;
  phase: string;
  detail: string;
}

const BAR_WIDTH = 24;
const PHASE_WIDTH = 9;

/**
 * Progress for many files at once: live bars (cli-progress) when stderr is a terminal,
 * a line per state change when it is not, nothing with --json. Always stderr, so stdout
 * carries only the results.
 */
export function createProgressBoard(
  mode: 'auto' | 'none',
  stream: NodeJS.WriteStream = process.stderr,
): ProgressBoard {
  if (mode === 'none') return { add: () => silent, stop: () => undefined };
  return stream.isTTY ? barBoard(stream) : lineBoard(stream);
}

const silent: FileProgress = {
  uploading: () => undefined,
  uploaded: () => undefined,
  transcoding: () => undefined,
  finished: () => undefined,
  failed: () => undefined,
};

interface BarBoard extends ProgressBoard {
  add(
    name: string,
    size: number,
  ): FileProgress & { progress(phase: string, fraction: number, detail: string): void };
}

function barBoard(stream: NodeJS.WriteStream): BarBoard {
  const nameWidth = { value: 12 };
  const options: Options = {
    stream,
    fps: 10,
    hideCursor: true,
    clearOnComplete: false,
    stopOnComplete: false,
    format: (_opts: Options, params: Params, payload: Payload) => {
      const filled = Math.round(params.progress * BAR_WIDTH);
      const bar = '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
      const percent = `${Math.floor(params.progress * 100)}%`.padStart(4);
      return `${payload.name.padEnd(nameWidth.value)} ${payload.phase.padEnd(PHASE_WIDTH)} ${bar} ${percent} ${payload.detail}`;
    },
  };
  const multibar = new MultiBar(options);
  // A draw after stop() would restart cli-progress's frame timer and keep the process alive
  // (an aborted upload's body can still report its last byte after the board stopped).
  let stopped = false;
  const drawNow = () => {
    if (!stopped) multibar.update();
  };
  return {
    add(name, size) {
      nameWidth.value = Math.min(40, Math.max(nameWidth.value, name.length));
      const bar = multibar.create(1, 0, { name, phase: 'upload', detail: formatBytes(size) });
      const started = Date.now();
      return {
        uploading: (sent) => {
          bar.update(size > 0 ? sent / size : 1, {
            phase: 'upload',
            detail: transferDetail(sent, size, started),
          });
          // The last byte is drawn at once: a fast node answers within one frame (100 ms),
          // and its "queued" would otherwise replace the bar before it ever showed 100%.
          if (sent >= size) drawNow();
        },
        uploaded: (jobId) => bar.update(0, { phase: 'queued', detail: `job ${jobId}` }),
        transcoding: (fraction, status) => bar.update(fraction, { phase: 'transcode', detail: status }),
        finished: (status, detail) =>
          bar.update(status === 'done' ? 1 : bar.getProgress(), { phase: status, detail }),
        failed: (reason) => bar.update(bar.getProgress(), { phase: 'failed', detail: reason }),
        progress: (phase: string, fraction: number, detail: string) =>
          bar.update(fraction, { phase, detail }),
      };
    },
    stop: () => {
      stopped = true;
      multibar.stop();
    },
  };
}

/** "3.1 MB/10.6 MB 12.0 MB/s ETA 1s". */
function transferDetail(sent: number, size: number, started: number): string {
  const seconds = (Date.now() - started) / 1000;
  const rate = seconds > 0 ? sent / seconds : 0;
  const eta = rate > 0 ? (size - sent) / rate : Infinity;
  return `${formatBytes(sent)}/${formatBytes(size)} ${formatBytes(rate)}/s ETA ${formatSeconds(eta)}`;
}

/** One transfer's bar (a download) on a terminal; nothing elsewhere. */
export function createTransferBar(name: string, size: number, label: string, stream = process.stderr) {
  if (!stream.isTTY) return { update: (_bytes: number) => undefined, stop: () => undefined };
  const board = barBoard(stream);
  const file = board.add(name, size);
  const started = Date.now();
  return {
    update: (bytes: number) =>
      file.progress(label, size > 0 ? bytes / size : 1, transferDetail(bytes, size, started)),
    stop: () => board.stop(),
  };
}

function lineBoard(stream: NodeJS.WriteStream): ProgressBoard {
  return {
    add(name, size) {
      const started = Date.now();
      let transcodeShown = false;
      const say = (text: string) => stream.write(`${name}: ${text}\n`);
      return {
        uploading: () => undefined,
        uploaded: (jobId) =>
          say(
            `uploaded ${formatBytes(size)} in ${formatSeconds((Date.now() - started) / 1000)}, job ${jobId}`,
          ),
        transcoding: (_fraction, status) => {
          if (transcodeShown || status !== 'in_progress') return;
          transcodeShown = true;
          say('transcoding');
        },
        finished: (status, detail) => say(`${status}${detail ? ` (${detail})` : ''}`),
        failed: () => undefined,
      };
    },
    stop: () => undefined,
  };
}
