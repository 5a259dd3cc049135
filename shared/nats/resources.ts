import {
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import type { Config } from '../config';
import type { Nats } from './connection';
import { BUCKETS, STREAMS } from './names';

const HOUR_NS = 3600 * 1e9;

/**
 * Creates (or brings up to date) the streams, KV buckets and temp object stores every node
 * relies on. Idempotent: each node runs it at start.
 */
export async function ensureNatsResources(nats: Nats, config: Config): Promise<void> {
  // Several nodes start at once against a cluster that may still be settling: retry.
  for (let attempt = 1; ; attempt++) {
    try {
      return await ensureOnce(nats, config);
    } catch (err) {
      if (attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

async function ensureOnce(nats: Nats, config: Config): Promise<void> {
  const replicas = nats.replicas;
  await ensureStream(nats, {
    name: STREAMS.JOBS.name,
    subjects: [...STREAMS.JOBS.subjects],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    num_replicas: replicas,
  });
  await ensureStream(nats, {
    name: STREAMS.RESULTS.name,
    subjects: [...STREAMS.RESULTS.subjects],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    num_replicas: replicas,
    // Storers replay finished jobs while their temp objects still exist (DESIGN §4.5).
    max_age: config.tempTtlHours * HOUR_NS,
  });
  await nats.kvm.create(BUCKETS.jobs, { replicas, history: 1 });
  await nats.kvm.create(BUCKETS.nodes, { replicas, history: 5 });
  for (let k = 0; k < config.tempBuckets; k++) {
    await nats.objm.create(BUCKETS.temp(k), {
      replicas,
      ttl: config.tempTtlHours * HOUR_NS,
      storage: StorageType.File,
    });
  }
}

async function ensureStream(nats: Nats, cfg: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    await nats.jsm.streams.info(cfg.name);
    await nats.jsm.streams.update(cfg.name, cfg);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await nats.jsm.streams.add(cfg);
  }
}

function isNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound;
}
