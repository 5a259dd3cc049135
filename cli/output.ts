import Table from 'cli-table3';
import { createColors } from 'picocolors';

/**
 * How a command prints: JSON for machines (`--json`), otherwise text with colour only when
 * stdout is a terminal (and NO_COLOR is unset), tables by cli-table3.
 */
export interface Output {
  json: boolean;
  color: ReturnType<typeof createColors>;
  /** Prints one line of text (never in JSON mode). */
  line(text?: string): void;
  /** Prints one JSON document (or, with --watch, one JSON line). */
  data(value: unknown, options?: { lines?: boolean }): void;
  table(head: string[], rows: (string | number)[][]): void;
}

export function createOutput(
  options: { json?: boolean },
  stream: NodeJS.WriteStream = process.stdout,
): Output {
  const json = Boolean(options.json);
  const color = createColors(Boolean(stream.isTTY) && !json && !process.env.NO_COLOR);
  return {
    json,
    color,
    line: (text = '') => {
      if (!json) stream.write(`${text}\n`);
    },
    data: (value, { lines = false } = {}) => {
      stream.write(`${lines ? JSON.stringify(value) : JSON.stringify(value, null, 2)}\n`);
    },
    table: (head, rows) => {
      if (json) return;
      const table = new Table({
        head: head.map((h) => color.bold(h)),
        style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
        chars: PLAIN_TABLE,
      });
      table.push(...rows.map((r) => r.map(String)));
      stream.write(`${table.toString().replace(/ +$/gm, '')}\n`);
    },
  };
}

/** Borderless columns, like `nats stream ls` and `kubectl get`: easy to read and to grep. */
const PLAIN_TABLE = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
};

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** Decimal units, as disks and `ls -h --si` count: 1.2 MB. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${UNITS[unit]}`;
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  if (seconds < 60) return `${Math.round(seconds)}s`;
  if (seconds < 3600)
    return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

/** `0x1234…abcd`: node ids are 42 characters; the ends are what people compare. */
export function shortId(nodeId: string): string {
  return nodeId.length > 14 ? `${nodeId.slice(0, 6)}…${nodeId.slice(-4)}` : nodeId;
}

/** How long ago an ISO time was, e.g. "12s ago". */
export function ago(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '—';
  return `${formatSeconds(Math.max(0, (now - Date.parse(iso)) / 1000))} ago`;
}
