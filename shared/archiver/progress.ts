import { SingleBar } from 'cli-progress';

/**
 * How a run tells the operator where it is (issue 12): on a terminal a progress bar with
 * bytes, files, rate and ETA, and a readable summary; otherwise one JSON line per event (for
 * logs and for the `storage` CLI), ending with a `summary` line.
 */
export interface Reporter {
  /** A phase with a known amount of work begins (`upload`, `restore`, `verify`). */
  begin(phase: string, files: number, bytes: number): void;
  /** Work done in the current phase. */
  advance(files: number, bytes: number): void;
  /** Something worth one line: an uploaded, restored, missing or corrupt object, a note. */
  event(name: string, fields: Record<string, unknown>): void;
  /** The end of the current phase. */
  end(): void;
  summary(fields: Record<string, unknown>): void;
}

export function createReporter(options: { json: boolean; quiet?: boolean }): Reporter {
  return options.json ? new JsonReporter(options.quiet ?? false) : new TerminalReporter();
}

/** One JSON line per event on stdout; a `progress` line at most every 2 s during a phase. */
class JsonReporter implements Reporter {
  private phase = '';
  private done = { files: 0, bytes: 0 };
  private total = { files: 0, bytes: 0 };
  private lastProgress = 0;

  constructor(private readonly quiet: boolean) {}

  begin(phase: string, files: number, bytes: number): void {
    this.phase = phase;
    this.done = { files: 0, bytes: 0 };
    this.total = { files, bytes };
    this.lastProgress = Date.now();
    this.line('phase', { phase, files, bytes });
  }

  advance(files: number, bytes: number): void {
    this.done.files += files;
    this.done.bytes += bytes;
    if (Date.now() - this.lastProgress < 2000) return;
    this.lastProgress = Date.now();
    this.line('progress', {
      phase: this.phase,
      files: this.done.files,
      bytes: this.done.bytes,
      of: this.total,
    });
  }

  event(name: string, fields: Record<string, unknown>): void {
    if (!this.quiet || name !== 'object') this.line(name, fields);
  }

  end(): void {
    this.phase = '';
  }

  summary(fields: Record<string, unknown>): void {
    this.line('summary', fields);
  }

  private line(event: string, fields: Record<string, unknown>): void {
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), event, ...fields })}\n`);
  }
}

/** cli-progress on stderr; notable events print above the bar, the summary on stdout. */
class TerminalReporter implements Reporter {
  private bar: SingleBar | undefined;
  private files = 0;
  private totalFiles = 0;
  private bytes = 0;
  private startedAt = 0;

  begin(phase: string, files: number, bytes: number): void {
    this.files = 0;
    this.bytes = 0;
    this.totalFiles = files;
    this.startedAt = Date.now();
    this.bar = new SingleBar({
      format: `${phase.padEnd(8)} [{bar}] {percentage}% | {files} files | {done} of {all} | {speed}/s | ETA {eta_formatted}`,
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
    });
    this.bar.start(bytes, 0, { files: `0/${files}`, done: size(0), all: size(bytes), speed: size(0) });
  }

  advance(files: number, bytes: number): void {
    if (!this.bar) return;
    this.files += files;
    this.bytes += bytes;
    const seconds = Math.max(0.001, (Date.now() - this.startedAt) / 1000);
    this.bar.update(this.bytes, {
      files: `${this.files}/${this.totalFiles}`,
      done: size(this.bytes),
      speed: size(this.bytes / seconds),
    });
  }

  event(name: string, fields: Record<string, unknown>): void {
    if (name === 'object') return; // the bar counts them
    const line = `${name}: ${Object.entries(fields)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ')}`;
    // Clear the bar's line first; it redraws itself on the next update.
    process.stderr.write(`${this.bar ? '\r\x1b[K' : ''}${line}\n`);
  }

  end(): void {
    this.bar?.stop();
    this.bar = undefined;
  }

  summary(fields: Record<string, unknown>): void {
    this.end();
    for (const [k, v] of Object.entries(fields))
      process.stdout.write(`${k.padEnd(16)} ${typeof v === 'string' ? v : JSON.stringify(v)}\n`);
  }
}

export function size(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
