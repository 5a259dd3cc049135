import type { UploadOutcome } from './uploads';

/** What one chaos run measured (README "Hardening: the chaos suite" keeps one run's figures). */
export interface ChaosFigures {
  nodes: number;
  natsServers: number;
  uploads: { sent: number; audio: number; images: number };
  acknowledged: number;
  /** `<status> <code>` → count; each with a Retry-After unless listed in `refusedWithoutRetryAfter`. */
  refused: Record<string, number>;
  refusedWithoutRetryAfter: number;
  /** Requests the client got no answer to (the node was killed, or refused the connection). */
  noAnswer: Record<string, number>;
  /** Every request of the run (uploads and job polls) answered 500. */
  answered500: number;
  jobs: { done: number; error: number; errorReasons: Record<string, number> };
  /** Acknowledged jobs that did not end within the settle bound. */
  stuck: string[];
  /** Acknowledged and gone: no job record, or a done job's result missing from a current owner. */
  lost: string[];
  /** Last upload answered → every acknowledged job ended. */
  settleMs: number;
  /** The longest any acknowledged job took, acknowledged → ended. */
  maxJobMs: number;
  /** Every job ended → every done job's results on all current owners, sha256 read from disk (null: not within the bound). */
  repairMs: number | null;
  /** When each fault struck, from the first upload. */
  faults: { nodeKilledAtMs: number; natsKilledAtMs: number; natsBackAtMs: number };
  /** Upload requests open and acknowledged jobs not yet ended when each fault struck. */
  inFlight: { atNodeKill: InFlight; atNatsKill: InFlight };
  wallMs: number;
}

export interface InFlight {
  requests: number;
  jobs: number;
}

export function tallyUploads(outcomes: UploadOutcome[]): Pick<
  ChaosFigures,
  'acknowledged' | 'refused' | 'refusedWithoutRetryAfter' | 'noAnswer'
> & {
  answered500: number;
} {
  const refused: Record<string, number> = {};
  const noAnswer: Record<string, number> = {};
  let acknowledged = 0;
  let refusedWithoutRetryAfter = 0;
  let answered500 = 0;
  for (const o of outcomes) {
    if (o.kind === 'acknowledged') acknowledged++;
    else if (o.kind === 'no-answer') bump(noAnswer, o.why);
    else {
      bump(refused, `${o.status} ${o.code}`);
      if (o.retryAfter === null) refusedWithoutRetryAfter++;
      if (o.status === 500) answered500++;
    }
  }
  return { acknowledged, refused, refusedWithoutRetryAfter, noAnswer, answered500 };
}

export function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

const seconds = (ms: number | null) => (ms === null ? 'not within the bound' : `${(ms / 1000).toFixed(1)} s`);
const list = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([k, v]) => `${v} × ${k}`)
    .join(', ') || '0';

/** The figures as a Markdown table, for the console and the README. */
export function figuresTable(f: ChaosFigures): string {
  const rows: [string, string][] = [
    ['cluster', `${f.nodes} storage nodes, ${f.natsServers} NATS servers (JetStream R3)`],
    ['uploads sent', `${f.uploads.sent} (${f.uploads.audio} audio, ${f.uploads.images} images)`],
    ['acknowledged (2xx)', String(f.acknowledged)],
    ['refused', `${list(f.refused)}; without Retry-After: ${f.refusedWithoutRetryAfter}`],
    ['no answer (connection cut)', list(f.noAnswer)],
    ['answered 500 (uploads and polls)', String(f.answered500)],
    ['jobs done', String(f.jobs.done)],
    ['jobs error', `${f.jobs.error}${f.jobs.error ? ` (${list(f.jobs.errorReasons)})` : ''}`],
    ['stuck (not ended within the bound)', String(f.stuck.length)],
    ['lost (acknowledged, no job or results missing)', String(f.lost.length)],
    ['faults (from the first upload)', faultsText(f)],
    ['in flight at the node kill', inFlightText(f.inFlight.atNodeKill)],
    ['in flight at the NATS kill', inFlightText(f.inFlight.atNatsKill)],
    ['last answer → every job ended', seconds(f.settleMs)],
    ['longest job (acknowledged → ended)', seconds(f.maxJobMs)],
    ['every job ended → results on all current owners', seconds(f.repairMs)],
    ['whole run', seconds(f.wallMs)],
  ];
  return ['| figure | value |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
}

function faultsText(f: ChaosFigures): string {
  const { nodeKilledAtMs, natsKilledAtMs, natsBackAtMs } = f.faults;
  return `node kill -9 at ${seconds(nodeKilledAtMs)}; NATS server killed at ${seconds(natsKilledAtMs)}, back at ${seconds(natsBackAtMs)}`;
}

const inFlightText = (x: InFlight) =>
  `${x.requests} upload requests open, ${x.jobs} acknowledged jobs not ended`;
