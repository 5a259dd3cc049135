import { h } from '../lib/dom';
import { shortId } from '../lib/format';

/** One takedown as `GET /storage/delist` lists it (shared/access/delist.ts). */
export interface DelistView {
  name: string;
  reason: string;
  by: string;
  at: string;
}

/** The delist set (issue 11): what every node answers 403 for, newest first. */
export function renderDelisted(entries: readonly DelistView[]): HTMLElement {
  if (entries.length === 0) return h('p', { class: 'muted' }, 'Nothing is taken down.');
  return h(
    'table',
    { class: 'history delisted' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ['Time', 'File or job', 'Reason', 'By'].map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    h(
      'tbody',
      null,
      entries.map((e) =>
        h(
          'tr',
          null,
          h(
            'td',
            { 'data-label': 'Time', title: e.at },
            new Date(e.at).toLocaleString([], { hour12: false }),
          ),
          h('td', { 'data-label': 'File or job' }, h('code', null, e.name)),
          h('td', { 'data-label': 'Reason' }, e.reason || '–'),
          h('td', { 'data-label': 'By', title: e.by }, e.by === 'cli' ? 'operator script' : shortId(e.by)),
        ),
      ),
    ),
  );
}
