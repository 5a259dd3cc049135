import { h } from '../lib/dom';
import type { WeatherChange } from '../lib/types';
import type { NodeLabels } from './labels';

/** The answering node's record of changes of its healthy set, newest first. */
export function renderHistory(changes: readonly WeatherChange[], labels: NodeLabels): HTMLElement {
  const names = (ids: string[]) => (ids.length ? ids.map((id) => labels.name(id)).join(', ') : '–');
  return h(
    'table',
    { class: 'history' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ['Time', 'Joined', 'Left', 'Healthy', 'Ring'].map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    h(
      'tbody',
      null,
      [...changes]
        .reverse()
        .map((c) =>
          h(
            'tr',
            null,
            h(
              'td',
              { 'data-label': 'Time', title: c.at },
              new Date(c.at).toLocaleString([], { hour12: false }),
            ),
            h('td', { 'data-label': 'Joined' }, names(c.joined)),
            h('td', { 'data-label': 'Left', class: c.left.length ? 'warn' : '' }, names(c.left)),
            h('td', { 'data-label': 'Healthy' }, String(c.healthy.length)),
            h(
              'td',
              { 'data-label': 'Ring' },
              h('code', { title: c.ringFingerprint }, c.ringFingerprint.slice(0, 8)),
            ),
          ),
        ),
    ),
  );
}
