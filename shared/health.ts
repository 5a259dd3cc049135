import type { RepairStatus } from './repair/types';
import type { Services } from './runtime/services';
import { accessIfReady } from './access/access';
import { describePolicy } from './access/policy';

export interface HealthReport {
  healthy: boolean;
  nodeId: string;
  host: string;
  version: string;
  nats: string;
  storage: { driver: string; url: string };
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

/** A node is healthy while it is connected to NATS; the rest is for the operator to read. */
export function healthReport(s: Services): HealthReport {
  const nats = s.nats.state();
  return {
    healthy: nats === 'connected',
    nodeId: s.identity.address,
    host: s.config.host,
    version: s.config.version,
    nats,
    storage: { driver: s.blob.scheme, url: s.blob.displayUrl },
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
  required: ['healthy', 'nodeId', 'host', 'version', 'nats', 'storage', 'uptimeSeconds'],
  properties: {
    healthy: { type: 'boolean' },
    nodeId: { type: 'string' },
    host: { type: 'string' },
    version: { type: 'string' },
    nats: { type: 'string' },
    storage: { type: 'object', properties: { driver: { type: 'string' }, url: { type: 'string' } } },
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
