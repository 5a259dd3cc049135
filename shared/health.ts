import type { RepairStatus } from './repair/types';
import type { Services } from './runtime/services';
import { accessIfReady } from './access/access';
import { describePolicy } from './access/policy';
import type { StoreState } from './store-health/types';

export interface HealthReport {
  healthy: boolean;
  nodeId: string;
  host: string;
  version: string;
  nats: string;
  storage: { driver: string; url: string };
  /** The blob store's last probe (shared/store-health/): writable, and free space above the floor. */
  store: StoreState;
  /** Why the node is unhealthy, one line per cause; empty when healthy. */
  problems: string[];
  uptimeSeconds: number;
  /** Access control (issue 11): a node running open says so here and in `npm start`'s banner. */
  access: {
    reads: string;
    uploads: string;
    /** Last full re-read of the delist set (shared/access/delist.ts); null before the first. */
    delistRefreshedAt: string | null;
  };
  /** The last repair and scrub passes (shared/repair/repairer.ts). */
  repair: RepairStatus;
}

/**
 * A node is healthy while it is connected to NATS and its blob store passes its probe (a
 * write, and free space); the rest is for the operator to read.
 */
export function healthReport(s: Services): HealthReport {
  const nats = s.nats.state();
  const store = s.storeHealth.state();
  const problems = [
    ...(nats === 'connected' ? [] : [`NATS ${nats}`]),
    ...(store.ok ? [] : [store.reason ?? 'store unhealthy']),
  ];
  return {
    healthy: problems.length === 0,
    nodeId: s.identity.address,
    host: s.config.host,
    version: s.config.version,
    nats,
    storage: { driver: s.blob.scheme, url: s.blob.displayUrl },
    store,
    problems,
    uptimeSeconds: Math.round((Date.now() - s.startedAt) / 1000),
    access: {
      reads: describePolicy(s.config.gatedVariants),
      uploads: s.config.uploadMode,
      delistRefreshedAt: accessIfReady(s)?.delist.refreshedAt() ?? null,
    },
    repair: s.repair.status(),
  };
}

export const healthSchema = {
  type: 'object',
  required: ['healthy', 'nodeId', 'host', 'version', 'nats', 'storage', 'store', 'problems', 'uptimeSeconds'],
  properties: {
    healthy: { type: 'boolean' },
    nodeId: { type: 'string' },
    host: { type: 'string' },
    version: { type: 'string' },
    nats: { type: 'string' },
    storage: { type: 'object', properties: { driver: { type: 'string' }, url: { type: 'string' } } },
    store: {
      type: 'object',
      properties: {
        ok: { type: 'boolean' },
        reason: { type: ['string', 'null'] },
        freeBytes: { type: ['integer', 'null'] },
        checkedAt: { type: ['string', 'null'] },
      },
    },
    problems: { type: 'array', items: { type: 'string' } },
    uptimeSeconds: { type: 'integer' },
    access: {
      type: 'object',
      properties: {
        reads: { type: 'string' },
        uploads: { type: 'string' },
        delistRefreshedAt: { type: ['string', 'null'] },
      },
    },
    repair: {
      type: 'object',
      properties: {
        running: { type: 'boolean' },
        lastPassAt: { type: ['string', 'null'] },
        lastPassSeconds: { type: ['number', 'null'] },
        lastPassRequests: { type: ['integer', 'null'] },
        underReplicated: { type: 'integer' },
        lost: { type: 'integer' },
        pulling: { type: 'integer' },
        pulled: { type: 'integer' },
        deleted: { type: 'integer' },
        quarantined: { type: 'integer' },
        trimBlocked: { type: ['string', 'null'] },
        lastScrubAt: { type: ['string', 'null'] },
        lastScrubSeconds: { type: ['number', 'null'] },
      },
    },
  },
} as const;
