import { fill, h } from '../lib/dom';
import { bytes, clock, duration, percent, shortId, span } from '../lib/format';
import { TEMPLATE_LABELS, type JobView } from '../lib/types';
import { renderResults } from './results';

const COLUMNS = [
  'Status',
  'Progress',
  'Template',
  'File',
  'Size',
  'Length / pixels',
  'Worker',
  'Times',
  'Error',
];
const STATUS_RANK: Record<string, number> = { pending: 0, in_progress: 1, done: 2, error: 2 };

interface Row {
  job: JobView;
  body: HTMLTableSectionElement;
  main: HTMLTableRowElement;
  details: HTMLTableCellElement;
  detailsKey: string;
}

/**
 * The live jobs table, one `<tbody>` per job (newest first): its summary row, then a row
 * with its results. A record replaces the row's cells; the results row is rebuilt only
 * when the results change, so a playing track is not interrupted by a progress update.
 */
export class JobsTable {
  private readonly rows = new Map<string, Row>();

  constructor(
    private readonly table: HTMLTableElement,
    private readonly empty: HTMLElement,
    private readonly workerLabel: (nodeId: string) => string,
    private readonly limit = 100,
  ) {
    fill(
      table.createTHead(),
      h(
        'tr',
        null,
        COLUMNS.map((c) => h('th', { scope: 'col' }, c)),
      ),
    );
  }

  /**
   * Shows a record. A record from a list fetch may be older than one the event stream
   * already delivered, so it never moves a job back.
   */
  upsert(job: JobView, fromList = false): void {
    const row = this.rows.get(job.id);
    if (row && fromList && progressRank(job) < progressRank(row.job)) return;
    const target = row ?? this.insert(job);
    target.job = job;
    fill(target.main, mainCells(job, this.workerLabel));
    target.body.dataset.status = job.status;
    const key = detailsKey(job);
    if (key !== target.detailsKey) {
      target.detailsKey = key;
      fill(target.details, renderResults(job));
    }
    this.empty.hidden = this.rows.size > 0;
  }

  /** Worker names changed (a node joined): redraw the summary rows. */
  redraw(): void {
    for (const row of this.rows.values()) fill(row.main, mainCells(row.job, this.workerLabel));
  }

  private insert(job: JobView): Row {
    const main = h('tr', { class: 'job-main' });
    const details = h('td', { colspan: COLUMNS.length });
    const body = h(
      'tbody',
      { class: 'job', 'data-job-id': job.id },
      main,
      h('tr', { class: 'job-details' }, details),
    );
    const after = [...this.table.tBodies].find((b) => (b.dataset.jobId ?? '') < job.id);
    this.table.insertBefore(body, after ?? null);
    const row: Row = { job, body, main, details, detailsKey: '' };
    this.rows.set(job.id, row);
    while (this.rows.size > this.limit) {
      const oldest = [...this.rows.keys()].sort()[0];
      this.rows.get(oldest)?.body.remove();
      this.rows.delete(oldest);
    }
    return row;
  }
}

function mainCells(job: JobView, workerLabel: (nodeId: string) => string): HTMLTableCellElement[] {
  const cell = (label: string, ...content: (Node | string)[]) =>
    h('td', { 'data-label': label }, h('span', null, ...content));
  return [
    cell('Status', h('span', { class: `badge st-${job.status}` }, statusText(job))),
    cell(
      'Progress',
      h('progress', {
        max: 1,
        value: job.transcode_progress,
        'aria-label': `Transcoding progress of ${job.source_info.description}`,
      }),
      ` ${percent(job.transcode_progress)}`,
    ),
    cell('Template', TEMPLATE_LABELS[job.template] ?? job.template),
    cell(
      'File',
      h('span', { class: 'name' }, job.source_info.description),
      h('small', { class: 'id', title: job.id }, job.id),
      // The wallet that signed the upload (issue 11); unsigned uploads on an open node have none.
      job.user_wallet
        ? h('small', { class: 'wallet', title: job.user_wallet }, `by ${shortId(job.user_wallet)}`)
        : '',
    ),
    cell('Size', bytes(job.source_info.size)),
    cell('Length / pixels', lengthOrPixels(job)),
    cell(
      'Worker',
      job.transcode_worker_id
        ? h('span', { title: job.transcode_worker_id }, workerLabel(job.transcode_worker_id))
        : '–',
    ),
    cell('Times', h('span', { title: timesTitle(job) }, timesText(job))),
    job.error
      ? cell('Error', h('span', { class: 'error-text' }, job.error))
      : h('td', { 'data-label': 'Error' }),
  ];
}

function statusText(job: JobView): string {
  if (job.status === 'in_progress') return job.stage === 'storing' ? 'storing' : 'transcoding';
  return job.status;
}

function lengthOrPixels(job: JobView): string {
  if (job.template === 'audio') return duration(job.results[0]?.duration ?? job.probe?.duration);
  const w = job.probe?.displayWidth ?? job.probe?.width;
  const hgt = job.probe?.displayHeight ?? job.probe?.height;
  return w && hgt ? `${w}×${hgt}` : '–';
}

function timesText(job: JobView): string {
  const created = Date.parse(job.created_at);
  const end = job.finished_at ? Date.parse(job.finished_at) : NaN;
  const took = Number.isFinite(end) ? ` · took ${span(end - created)}` : '';
  return `${clock(job.created_at)}${took}`;
}

function timesTitle(job: JobView): string {
  return [
    `created ${job.created_at}`,
    job.started_at ? `started ${job.started_at}` : '',
    job.finished_at ? `finished ${job.finished_at}` : '',
    job.attempts ? `attempts ${job.attempts}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

function detailsKey(job: JobView): string {
  return `${job.status}|${job.results.map((r) => `${r.name}:${r.nodes.length}`).join(',')}`;
}

/** Orders the records of one job: later states, then more progress, then more copies. */
function progressRank(job: JobView): number {
  const copies = job.results.reduce((n, r) => n + r.nodes.length, 0);
  return (
    (STATUS_RANK[job.status] ?? 0) * 1e7 +
    (job.stage === 'storing' ? 1e6 : 0) +
    Math.round(job.transcode_progress * 1000) * 100 +
    Math.min(copies, 99)
  );
}
