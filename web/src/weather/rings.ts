import { h, s } from '../lib/dom';
import { count, shortId } from '../lib/format';
import type { ClusterReport, NodeView, RingSummary } from '../../../shared/weather/types';
import type { NodeLabels } from './labels';

const R_OUT = 56;
const R_IN = 38;
const R_MARK = 60;

/** One line that says whether the nodes agree, and if not, on what. */
export function renderBanner(report: ClusterReport): HTMLElement {
  const a = report.agreement;
  const healthy = report.members.filter((m) => m.healthy).length;
  if (a.agree) {
    const fp = a.fingerprints[0]?.fingerprint ?? '';
    return h(
      'p',
      { class: 'banner ok', role: 'status' },
      `${healthy} healthy of ${report.members.length} nodes · all agree: one ring (${fp.slice(0, 8)}), one healthy set`,
    );
  }
  const problems = [
    a.fingerprints.length > 1 ? `ring fingerprints differ (${a.fingerprints.length} rings)` : '',
    a.healthySets.length > 1 ? `healthy sets differ (${a.healthySets.length} views)` : '',
    a.unreachable.length > 0
      ? `${a.unreachable.length} healthy node${a.unreachable.length > 1 ? 's' : ''} did not answer`
      : '',
  ].filter(Boolean);
  return h(
    'p',
    { class: 'banner bad', role: 'alert' },
    `${healthy} healthy of ${report.members.length} nodes · DISAGREEMENT: ${problems.join(' · ')}`,
  );
}

/** Each node's own ring side by side; what differs from the majority view is marked. */
export function renderRings(report: ClusterReport, labels: NodeLabels): HTMLElement[] {
  const majority = report.agreement.fingerprints[0];
  const majoritySet = report.agreement.healthySets[0];
  const reference = report.views.find((v) => v.ring && v.ring.fingerprint === majority?.fingerprint)?.ring;
  const asked = new Set(report.views.map((v) => v.nodeId));
  const unasked = report.members
    .filter((m) => !asked.has(m.nodeId))
    .map((m) =>
      h(
        'article',
        { class: 'ring-view unasked', 'data-node-id': m.nodeId },
        viewTitle(labels.name(m.nodeId), m.nodeId === report.self),
        h(
          'p',
          null,
          h('span', { class: 'badge st-error' }, 'UNHEALTHY'),
          ' not asked: its ring is not in use',
        ),
      ),
    );
  const views = report.views.map((view) => {
    const title = viewTitle(labels.name(view.nodeId), view.nodeId === report.self);
    if (!view.reachable) {
      return h(
        'article',
        { class: 'ring-view differs', 'data-node-id': view.nodeId },
        title,
        h('p', { class: 'error-text' }, `did not answer: ${view.error ?? 'unknown'}`),
      );
    }
    const fpDiffers = !!majority && view.ringFingerprint !== majority.fingerprint;
    const setDiffers = !!majoritySet && !majoritySet.viewers.includes(view.nodeId);
    return h(
      'article',
      { class: `ring-view${fpDiffers || setDiffers ? ' differs' : ''}`, 'data-node-id': view.nodeId },
      title,
      view.ring
        ? ringSvg(view.ring, labels, fpDiffers ? reference : undefined)
        : h('p', { class: 'muted' }, view.error ?? 'no ring'),
      h(
        'p',
        { class: 'fingerprint' },
        'ring ',
        h('code', { title: view.ringFingerprint }, (view.ringFingerprint ?? '').slice(0, 8)),
        ' ',
        h('span', { class: `badge ${fpDiffers ? 'st-error' : 'st-done'}` }, fpDiffers ? 'DIFFERS' : 'same'),
      ),
      h(
        'p',
        { class: 'healthy-set' },
        `healthy set: ${view.healthy?.length ?? 0} nodes `,
        h('span', { class: `badge ${setDiffers ? 'st-error' : 'st-done'}` }, setDiffers ? 'DIFFERS' : 'same'),
      ),
      setDiffers && majoritySet ? setDifference(view.healthy ?? [], majoritySet.healthy, labels) : null,
      legend(view, labels),
    );
  });
  return [...views, ...unasked];
}

function viewTitle(name: string, self: boolean): HTMLElement {
  return h(
    'h3',
    null,
    h('small', { class: 'muted' }, 'as seen by'),
    h('br'),
    name,
    self ? h('span', { class: 'tag' }, 'this node') : null,
  );
}

/** What one view's healthy set has and lacks against the majority's. */
function setDifference(
  healthy: readonly string[],
  majority: readonly string[],
  labels: NodeLabels,
): HTMLElement {
  const lacks = majority.filter((id) => !healthy.includes(id)).map((id) => labels.name(id));
  const extra = healthy.filter((id) => !majority.includes(id)).map((id) => labels.name(id));
  return h(
    'p',
    { class: 'error-text set-diff' },
    lacks.length ? `does not count ${lacks.join(', ')} as healthy` : '',
    lacks.length && extra.length ? '; ' : '',
    extra.length ? `also counts ${extra.join(', ')}` : '',
  );
}

function legend(view: NodeView, labels: NodeLabels): HTMLElement {
  const ring = view.ring;
  return h(
    'ul',
    { class: 'legend' },
    (view.healthy ?? []).map((id) => {
      const swatch = h('i', { class: 'swatch', 'aria-hidden': 'true' });
      swatch.style.background = labels.color(id);
      const replicas = ring?.replicas[id];
      return h(
        'li',
        { title: id },
        swatch,
        labels.name(id) || shortId(id),
        replicas !== undefined ? h('span', { class: 'muted' }, ` ${count(replicas)} shards`) : null,
      );
    }),
  );
}

/**
 * A donut of sampled shards coloured by primary owner. With `reference` (the majority's
 * ring), samples whose primary differs get a red mark outside.
 */
function ringSvg(ring: RingSummary, labels: NodeLabels, reference?: RingSummary): SVGSVGElement {
  const n = ring.primaries.length;
  const paths: SVGElement[] = [];
  for (let start = 0; start < n;) {
    let end = start + 1;
    while (end < n && ring.primaries[end] === ring.primaries[start]) end++;
    const owner = ring.nodes[ring.primaries[start]];
    paths.push(
      s('path', {
        d: arc(start / n, end / n, R_IN, R_OUT),
        'fill-rule': 'evenodd',
        fill: owner ? labels.color(owner) : '#ccc',
      }),
    );
    start = end;
  }
  if (reference) {
    for (let i = 0; i < n; i++) {
      if (ring.nodes[ring.primaries[i]] !== reference.nodes[reference.primaries[i]]) {
        paths.push(s('path', { d: arc(i / n, (i + 1) / n, R_OUT + 1, R_MARK), class: 'diff-mark' }));
      }
    }
  }
  return s(
    'svg',
    {
      viewBox: '-62 -62 124 124',
      class: 'ring',
      role: 'img',
      'aria-label': `ring ${ring.fingerprint.slice(0, 8)}`,
    },
    ...paths,
    s('text', { x: 0, y: 4, 'text-anchor': 'middle', class: 'ring-label' }, ring.fingerprint.slice(0, 8)),
  );
}

/** An annulus sector from fraction a to b of the circle, clockwise from the top. */
function arc(a: number, b: number, rIn: number, rOut: number): string {
  const pt = (f: number, r: number) => {
    const t = f * 2 * Math.PI - Math.PI / 2;
    return `${(r * Math.cos(t)).toFixed(2)} ${(r * Math.sin(t)).toFixed(2)}`;
  };
  if (b - a >= 1) {
    // A full circle cannot be one arc command: two halves.
    return `M${pt(0, rOut)}A${rOut} ${rOut} 0 1 1 ${pt(0.5, rOut)}A${rOut} ${rOut} 0 1 1 ${pt(0, rOut)}M${pt(0, rIn)}A${rIn} ${rIn} 0 1 0 ${pt(0.5, rIn)}A${rIn} ${rIn} 0 1 0 ${pt(0, rIn)}Z`;
  }
  const large = b - a > 0.5 ? 1 : 0;
  return `M${pt(a, rOut)}A${rOut} ${rOut} 0 ${large} 1 ${pt(b, rOut)}L${pt(b, rIn)}A${rIn} ${rIn} 0 ${large} 0 ${pt(a, rIn)}Z`;
}
