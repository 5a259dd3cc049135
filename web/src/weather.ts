import { getJson } from './lib/api';
import { byId, fill, h } from './lib/dom';
import { connectEvents, showLiveState } from './lib/events';
import { hostLabel, shortId } from './lib/format';
import type { JobView, PlacementAnswer } from './lib/types';
import type { ClusterReport, ShardReport } from '../../shared/weather/types';
import { renderCards } from './weather/cards';
import { renderDelisted, type DelistView } from './weather/delisted';
import { renderHistory } from './weather/history';
import { NodeLabels } from './weather/labels';
import { renderBanner, renderRings } from './weather/rings';
import { renderShard } from './weather/shard';

/** The weather map (`GET /storage/weather/`): nodes, their rings side by side, shards, history. */
const POLL_MS = 3000;
const ID = /^[0-9a-z]{25}$/;
let labels = new NodeLabels([], '');
let timer: number | undefined;
let shardLength = 3;
let namespace = '0';

async function refreshCluster(): Promise<void> {
  clearTimeout(timer);
  try {
    const report = await getJson<ClusterReport>('/storage/weather/api/cluster');
    const receivedAt = Date.now();
    labels = new NodeLabels(report.members, report.self);
    shardLength = report.shardLength;
    namespace = report.namespace;
    const me = report.members.find((m) => m.nodeId === report.self);
    byId('node').textContent = `${hostLabel(me?.host)} · ${shortId(report.self)}`;
    fill(byId('banner'), renderBanner(report));
    fill(byId('nodes'), renderCards(report, labels, receivedAt));
    fill(byId('rings'), renderRings(report, labels));
    fill(byId('history'), renderHistory(report.changes, labels));
    fill(byId('delisted'), renderDelisted(await getJson<DelistView[]>('/storage/delist')));
  } catch (err) {
    fill(
      byId('banner'),
      h('p', { class: 'banner bad', role: 'alert' }, `This node did not answer: ${(err as Error).message}`),
    );
  }
  timer = window.setTimeout(() => void refreshCluster(), document.hidden ? POLL_MS * 5 : POLL_MS);
}

function route(): { shard: string; find: string } {
  const params = new URLSearchParams(location.hash.slice(1));
  return { shard: params.get('shard') ?? '', find: params.get('find') ?? '' };
}

/** Opens what the address names: a shard, or a search to resolve into one. */
async function showRoute(): Promise<void> {
  const { shard, find } = route();
  const section = byId('shard-section');
  const error = byId('search-error');
  error.hidden = true;
  if (!shard && !find) {
    section.hidden = true;
    return;
  }
  try {
    if (!shard) {
      const placement = await getJson<PlacementAnswer>(`/storage/placement/${encodeURIComponent(find)}`);
      location.replace(`#shard=${placement.shard}&find=${encodeURIComponent(find)}`);
      return;
    }
    const idOf = find.split('_')[0];
    const [report, job] = await Promise.all([
      getJson<ShardReport>(`/storage/weather/api/shard/${encodeURIComponent(shard)}`),
      ID.test(idOf) ? getJson<JobView>(`/storage/jobs/${idOf}`).catch(() => null) : Promise.resolve(null),
    ]);
    fill(byId('shard-body'), renderShard(report, labels, find, job));
    section.hidden = false;
    byId<HTMLInputElement>('q').value = find || shard;
  } catch (err) {
    section.hidden = true;
    error.textContent = (err as Error).message;
    error.hidden = false;
  }
}

byId<HTMLFormElement>('search').addEventListener('submit', (e) => {
  e.preventDefault();
  const q = byId<HTMLInputElement>('q').value.trim().toLowerCase();
  if (!q) return;
  const shard = new RegExp(`^(?:${namespace}_)?([0-9a-z]{${shardLength}})$`).exec(q);
  const next = shard ? `#shard=${shard[1]}` : `#find=${encodeURIComponent(q)}`;
  if (location.hash === next) void showRoute();
  else location.hash = next;
});
byId('shard-refresh').addEventListener('click', () => void showRoute());
byId('shard-close').addEventListener('click', () => {
  history.pushState(null, '', location.pathname);
  void showRoute();
});
addEventListener('hashchange', () => void showRoute());
connectEvents({
  membership: () => {
    void refreshCluster();
    if (route().shard) void showRoute();
  },
  state: (state) => showLiveState(byId('live'), state),
});
void refreshCluster().then(() => showRoute());
