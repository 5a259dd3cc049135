import type { Services } from '../runtime/services';
import { compareViews } from './agreement';
import { collectViews } from './cluster-view';
import { fetchJson, type FetchJson } from './fetch-json';
import { RingSummaryCache } from './ring-summary';
import type { ClusterReport } from './types';

const sketches = new RingSummaryCache();

/** The weather map's cluster page: this node's members, every healthy node's own view, and whether they agree. */
export async function clusterReport(s: Services, fetch: FetchJson = fetchJson): Promise<ClusterReport> {
  const ring = s.membership.ring();
  const members = s.membership.list();
  const views = await collectViews(
    { self: s.identity.address, members, fingerprint: ring.fingerprint(), compact: () => ring.toCompact() },
    sketches,
    fetch,
  );
  return {
    self: s.identity.address,
    generatedAt: new Date().toISOString(),
    namespace: s.config.namespace,
    shardLength: s.config.shardLength,
    replicationFactor: s.config.replicationFactor,
    healthTtlSeconds: s.config.healthTtlSeconds,
    members,
    views,
    agreement: compareViews(views),
    changes: s.membership.changes(),
  };
}
