import type { Services } from './runtime/services';

export interface HealthReport {
  healthy: boolean;
  nodeId: string;
  host: string;
  version: string;
  nats: string;
  storage: { driver: string; url: string };
  uptimeSeconds: number;
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
  },
} as const;
