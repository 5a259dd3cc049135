import { h, type Child } from '../lib/dom';
import { bytes } from '../lib/format';
import type { JobResultView, JobView } from '../lib/types';

const longTerm = (name: string) => `/storage/long-term/file/${encodeURIComponent(name)}`;

/**
 * What a job produced: a player or thumbnails once its results are stored (`done`), and
 * links to its long-term files. Temp objects (the upload, fresh results) are for nodes and
 * signed callers only (issue 15), so the page names them without linking.
 */
export function renderResults(job: JobView): HTMLElement {
  return h(
    'div',
    { class: 'results' },
    job.status === 'done' ? media(job) : null,
    h(
      'ul',
      { class: 'files' },
      h('li', null, `original ${bytes(job.source_info.size)} · in the temp store until it expires`),
      job.results.map((r) => fileItem(job, r)),
      h('li', null, h('a', { href: `/storage/weather/#find=${job.id}` }, 'replicas on the weather map')),
    ),
  );
}

function media(job: JobView): Child {
  const by = (variant: string) => job.results.find((r) => r.variant === variant);
  if (job.template === 'audio') {
    const track = by('320') ?? job.results[0];
    if (!track) return null;
    return h('audio', {
      controls: true,
      preload: 'none',
      src: longTerm(track.name),
      'aria-label': `Play ${job.source_info.description}`,
    });
  }
  const thumb = job.template === 'img_square' ? by('150') : by('640');
  if (!thumb) return null;
  return h(
    'a',
    { href: longTerm(job.results[job.results.length - 1].name), class: 'thumb-link' },
    h('img', {
      class: job.template === 'img_square' ? 'thumb square' : 'thumb backdrop',
      src: longTerm(thumb.name),
      alt: `${job.source_info.description} (${thumb.width}×${thumb.height})`,
      width: thumb.width,
      height: thumb.height,
      loading: 'lazy',
    }),
  );
}

function fileItem(job: JobView, r: JobResultView): HTMLElement {
  const stored = job.status === 'done' || r.nodes.length > 0;
  const size = r.width ? ` ${r.width}×${r.height}` : '';
  return h(
    'li',
    null,
    stored ? h('a', { href: longTerm(r.name) }, r.name) : h('span', null, r.name),
    ` ${bytes(r.size)}${size} · `,
    h(
      'span',
      { class: r.nodes.length > 0 ? 'ok' : 'muted' },
      r.nodes.length > 0
        ? `stored on ${r.nodes.length} node${r.nodes.length === 1 ? '' : 's'}`
        : 'not stored yet',
    ),
  );
}
