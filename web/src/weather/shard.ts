import { h, type Child } from '../lib/dom';
import { bytes, shortId } from '../lib/format';
import { TEMPLATE_LABELS, type JobView } from '../lib/types';
import type { CopyState, ShardFile, ShardNode, ShardReport } from '../../../shared/weather/types';
import type { NodeLabels } from './labels';

const COPY_TEXT: Record<CopyState, string> = {
  ok: '✓ has it',
  missing: 'missing',
  mismatch: 'DIGEST MISMATCH',
  unreachable: 'unreachable',
};
const STATUS_CLASS: Record<string, string> = {
  healthy: 'st-done',
  'NOT REPLICATED': 'st-warn',
  'DIGEST MISMATCH': 'st-error',
};

/** A shard: its owners, every file in it, and per file which nodes hold it. */
export function renderShard(
  report: ShardReport,
  labels: NodeLabels,
  find: string,
  job: JobView | null,
): Child[] {
  const counts = { healthy: 0, 'NOT REPLICATED': 0, 'DIGEST MISMATCH': 0 } as Record<string, number>;
  for (const f of report.files) counts[f.status]++;
  const repairing = report.files.filter((f) => Object.values(f.copies).some((c) => c.repairing)).length;
  return [
    h('h2', { id: 'shard-title' }, `Shard ${report.shard} `, h('small', { class: 'muted' }, report.prefix)),
    job ? jobSummary(job) : null,
    h('h3', null, 'Owners'),
    h(
      'ol',
      { class: 'owners' },
      report.owners.map((id) => {
        const node = report.nodes.find((n) => n.nodeId === id);
        return h('li', { title: id }, labels.name(id), ' ', nodeState(node), ' ', repairState(node));
      }),
    ),
    h(
      'p',
      { class: 'shard-summary' },
      `${report.files.length} file${report.files.length === 1 ? '' : 's'}: ${counts.healthy} healthy, ${counts['NOT REPLICATED']} not replicated, ${counts['DIGEST MISMATCH']} digest mismatch`,
      repairing > 0 ? ` · ${repairing} being repaired` : '',
      report.pendingJobs.length > 0 ? ` · ${report.pendingJobs.length} job(s) not stored yet` : '',
    ),
    report.files.length > 0
      ? filesTable(report, labels, find)
      : h('p', { class: 'muted' }, 'No stored files in this shard.'),
    report.pendingJobs.length > 0
      ? h(
          'ul',
          { class: 'pending' },
          report.pendingJobs.map((j) => h('li', null, `${j.name || j.id} — ${j.status}`)),
        )
      : null,
  ];
}

function nodeState(node: ShardNode | undefined): HTMLElement {
  if (!node) return h('span', { class: 'badge st-error' }, 'unknown');
  if (!node.reachable)
    return h(
      'span',
      { class: 'badge st-error', title: node.error ?? '' },
      `unreachable: ${node.error ?? ''}`,
    );
  return h(
    'span',
    { class: `badge ${node.healthy ? 'st-done' : 'st-error'}` },
    node.healthy ? 'healthy' : 'UNHEALTHY',
  );
}

/** What an owner is pulling of this shard now, as its `GET /storage/repair/status` said. */
function repairState(node: ShardNode | undefined): HTMLElement | null {
  if (!node?.repairing)
    return node?.repairError
      ? h('small', { class: 'muted', title: node.repairError }, 'repair: unknown')
      : null;
  return node.repairing.length > 0
    ? h(
        'span',
        { class: 'badge st-warn', title: node.repairing.join('\n') },
        `repairing ${node.repairing.length} file${node.repairing.length === 1 ? '' : 's'}`,
      )
    : null;
}

function filesTable(report: ShardReport, labels: NodeLabels, find: string): HTMLElement {
  const head = h(
    'tr',
    null,
    h('th', { scope: 'col' }, 'File'),
    h('th', { scope: 'col' }, 'Size'),
    h('th', { scope: 'col' }, 'sha256'),
    report.nodes.map((n) =>
      h(
        'th',
        { scope: 'col', title: n.nodeId, 'data-node-id': n.nodeId },
        labels.name(n.nodeId),
        h('br'),
        h('small', null, n.rank === null ? 'holder, not owner' : `owner #${n.rank + 1}`),
      ),
    ),
    h('th', { scope: 'col' }, 'Status'),
  );
  return h(
    'div',
    { class: 'scroll' },
    h(
      'table',
      { class: 'files-table' },
      h('thead', null, head),
      h(
        'tbody',
        null,
        report.files.map((f) => fileRow(f, report, find)),
      ),
    ),
  );
}

function fileRow(f: ShardFile, report: ShardReport, find: string): HTMLElement {
  const highlighted = !!find && (find === f.fileName || find === f.jobId);
  return h(
    'tr',
    { class: highlighted ? 'found' : null, 'data-file': f.fileName, 'data-status': f.status },
    h('td', null, h('a', { href: `/storage/long-term/file/${encodeURIComponent(f.fileName)}` }, f.fileName)),
    h('td', null, bytes(f.expected?.size)),
    h(
      'td',
      null,
      f.expected
        ? h('code', { title: f.expected.sha256 }, f.expected.sha256.slice(0, 10))
        : h('span', { class: 'muted' }, 'no job record'),
    ),
    report.nodes.map((n) => {
      const copy = f.copies[n.nodeId];
      const state = copy?.state ?? 'unreachable';
      const title = copy?.sha256
        ? `sha256 ${copy.sha256}, ${copy.size} bytes`
        : copy?.size !== undefined
          ? `${copy.size} bytes, no digest`
          : '';
      // Being pulled by that node right now: what its listing showed goes in the tooltip.
      if (copy?.repairing)
        return h(
          'td',
          {
            class: 'copy copy-repairing',
            'data-node-id': n.nodeId,
            'data-state': state,
            title: `Being pulled now (repair); listed: ${COPY_TEXT[state]}${title ? `, ${title}` : ''}`,
          },
          'REPAIRING',
        );
      return h('td', { class: `copy copy-${state}`, 'data-node-id': n.nodeId, title }, COPY_TEXT[state]);
    }),
    h(
      'td',
      null,
      h('span', { class: `badge ${STATUS_CLASS[f.status] ?? ''}` }, f.status),
      h('small', { class: 'muted' }, ` ${f.goodOwnerCopies}/${report.owners.length} owners`),
    ),
  );
}

function jobSummary(job: JobView): HTMLElement {
  return h(
    'div',
    { class: 'job-summary' },
    h('strong', null, job.source_info.description),
    ` · ${TEMPLATE_LABELS[job.template] ?? job.template} · `,
    h('span', { class: `badge st-${job.status}` }, job.status),
    ` · job `,
    h('code', { title: job.id }, shortId(job.id)),
    job.error ? h('span', { class: 'error-text' }, ` · ${job.error}`) : null,
  );
}
