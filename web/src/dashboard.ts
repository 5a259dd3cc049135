import { JobsTable } from './dashboard/jobs-table';
import { setUpUploadForm } from './dashboard/upload-form';
import { getJson } from './lib/api';
import { byId } from './lib/dom';
import { connectEvents, showLiveState, type LiveState } from './lib/events';
import { hostLabel, shortId } from './lib/format';
import type { JobView, NodesAnswer } from './lib/types';

/** The upload dashboard (`GET /storage`): upload form, live jobs table. */
const POLL_MS = 3000;
const hosts = new Map<string, string>();
const table = new JobsTable(
  byId<HTMLTableElement>('jobs'),
  byId('jobs-empty'),
  (id) => hosts.get(id) ?? shortId(id),
);
const live = byId('live');
let state: LiveState = 'connecting';

async function loadJobs(): Promise<void> {
  try {
    const jobs = await getJson<JobView[]>('/storage/jobs?limit=50');
    for (const job of jobs.reverse()) table.upsert(job, true);
    byId('jobs-error').hidden = true;
  } catch (err) {
    byId('jobs-error').textContent = `Could not load the jobs: ${(err as Error).message}`;
    byId('jobs-error').hidden = false;
  }
}

async function loadNodes(): Promise<void> {
  try {
    const answer = await getJson<NodesAnswer>('/storage/nodes');
    for (const n of answer.nodes) hosts.set(n.nodeId, hostLabel(n.host) || shortId(n.nodeId));
    const me = answer.nodes.find((n) => n.nodeId === answer.self);
    byId('node').textContent = `${hostLabel(me?.host)} · ${shortId(answer.self)}`;
    byId('node').title = answer.self;
    table.redraw();
  } catch {
    // the header stays empty; the jobs table says whether the node answers
  }
}

setUpUploadForm((jobs) => jobs.forEach((job) => table.upsert(job, true)));
connectEvents({
  job: (job) => table.upsert(job as JobView),
  membership: () => void loadNodes(),
  open: () => void loadJobs(),
  state: (next) => showLiveState(live, (state = next)),
});
void loadNodes();
void loadJobs();
// Without the event stream (a proxy that buffers, a Lambda deployment), poll instead.
setInterval(() => {
  if (state !== 'live' && !document.hidden) void loadJobs();
}, POLL_MS);
