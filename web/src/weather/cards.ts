import { h } from '../lib/dom';
import { ago, bytes, count, shortId } from '../lib/format';
import type { ClusterReport, WeatherMember } from '../../../shared/weather/types';
import type { NodeLabels } from './labels';
import { placementRows } from './placement';
import { repairRows } from './repair';

/** One card per member, as the answering node sees it. */
export function renderCards(report: ClusterReport, labels: NodeLabels, receivedAt: number): HTMLElement[] {
  // The answering node's clock now: heartbeat and repair times are compared with it.
  const now = Date.now() - receivedAt + Date.parse(report.generatedAt);
  return report.members.map((m) => card(m, report, labels, now));
}

function card(m: WeatherMember, report: ClusterReport, labels: NodeLabels, now: number): HTMLElement {
  const heartbeatAge = now - m.seenAt;
  const hours = (Date.now() - Date.parse(m.startedAt)) / 3_600_000;
  const usedShare = m.capacity > 0 ? m.used / m.capacity : 0;
  const swatch = h('i', { class: 'swatch', 'aria-hidden': 'true' });
  swatch.style.background = labels.color(m.nodeId);
  return h(
    'article',
    { class: `card ${m.healthy ? 'is-healthy' : 'is-unhealthy'}`, 'data-node-id': m.nodeId },
    h(
      'header',
      null,
      swatch,
      h('a', { class: 'host', href: `${m.host}/storage/weather/` }, labels.name(m.nodeId)),
      h(
        'span',
        { class: `badge health ${m.healthy ? 'st-done' : 'st-error'}` },
        m.healthy ? 'healthy' : 'UNHEALTHY',
      ),
    ),
    h(
      'p',
      { class: 'node-id' },
      h('code', { title: m.nodeId }, shortId(m.nodeId)),
      m.nodeId === report.self ? h('span', { class: 'tag' }, 'this node') : null,
      m.leaving ? h('span', { class: 'tag' }, 'left the network') : null,
      m.draining ? h('span', { class: 'tag' }, m.drain?.safeToRemove ? 'safe to remove' : 'draining') : null,
      m.storeProblem
        ? h('span', { class: 'tag', title: m.storeProblem }, 'store failing: no new work')
        : null,
    ),
    h(
      'dl',
      null,
      item('last heartbeat', h('span', { title: m.lastOk }, ago(heartbeatAge))),
      item('version', m.version),
      item(
        'storage',
        m.capacity > 0
          ? [
              h('span', null, `${bytes(m.used)} of ${bytes(m.capacity)}`),
              h('meter', { min: 0, max: 1, value: usedShare, high: 0.85 }),
            ]
          : 'not reported',
      ),
      item('shards', count(m.shardCount)),
      // A rate over the first minutes says little: shown after ten.
      item(
        'jobs done',
        `${count(m.jobsDone)}${hours >= 1 / 6 ? ` · ${(m.jobsDone / hours).toFixed(1)} an hour` : ''}`,
      ),
      item('ring at heartbeat', h('code', { title: m.ringFingerprint }, m.ringFingerprint.slice(0, 8))),
    ),
    h(
      'dl',
      { class: 'repair' },
      [...placementRows(m), ...repairRows(m.repair, now)].map((r) => [
        h('dt', null, r.term),
        h('dd', { class: r.tone ? `tone-${r.tone}` : null, title: r.title }, r.value),
      ]),
    ),
  );
}

function item(term: string, ...value: (Node | string | Node[])[]): Node[] {
  return [h('dt', null, term), h('dd', null, ...value)];
}
