import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The node's Prometheus metrics (DESIGN §8, `GET /storage/metrics`). One registry per
 * process: a node is one process.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'storage_' });

export const httpRequests = new Counter({
  name: 'storage_http_requests_total',
  help: 'HTTP requests answered, by route and status code',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [registry],
});

export const stepRuns = new Counter({
  name: 'storage_step_runs_total',
  help: 'NATS-triggered function runs, by function and outcome (ok, retry, failed, handed_back)',
  labelNames: ['function', 'outcome'] as const,
  registers: [registry],
});

export const stepSeconds = new Histogram({
  name: 'storage_step_duration_seconds',
  help: 'Duration of NATS-triggered function runs',
  labelNames: ['function'] as const,
  buckets: [0.05, 0.25, 1, 5, 15, 60, 300, 900],
  registers: [registry],
});

export const healthyMembers = new Gauge({
  name: 'storage_healthy_members',
  help: "Healthy nodes in this node's view of the membership",
  registers: [registry],
});

export const membershipRecordsRejected = new Counter({
  name: 'storage_membership_records_rejected_total',
  help: 'Records in KV nodes this node ignored, by reason (unsigned, bad_signature, wrong_key, bad_host, stale, malformed, too_large)',
  labelNames: ['reason'] as const,
  registers: [registry],
});

export const ownedShards = new Gauge({
  name: 'storage_owned_shards',
  help: 'Shards this node owns in its own ring',
  registers: [registry],
});

// The read cache (shared/read-cache/, issue 14).
export const readCacheLookups = new Counter({
  name: 'storage_read_cache_lookups_total',
  help: 'Read cache lookups: kind meta (size, digest, type) or bytes (small files, and hot large ones), result hit or miss',
  labelNames: ['kind', 'result'] as const,
  registers: [registry],
});

export const readCacheBytes = new Gauge({
  name: 'storage_read_cache_bytes',
  help: 'Bytes the read cache holds (small files plus an estimate per metadata entry), within AUDIUS_READ_CACHE_MB',
  registers: [registry],
});

export const readCacheEntries = new Gauge({
  name: 'storage_read_cache_entries',
  help: 'Files the read cache remembers',
  registers: [registry],
});

export const readCacheEvictions = new Counter({
  name: 'storage_read_cache_evictions_total',
  help: 'Entries the read cache dropped to stay within its budget',
  registers: [registry],
});
