import {
  jetstreamManager,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import type { Config } from '../config';
import type { Nats } from './connection';
import { BUCKETS, STREAMS } from './names';

const HOUR_NS = 3600 * 1e9;
const HOUR_MS = 3600 * 1000;
/**
 * Creating an R3 asset while other nodes create the same one can leave a request without an
 * answer (nats-server 2.9: measured 20 s stalls with three nodes starting at once); a short
 * timeout and a retry that finds the asset made is much faster than waiting it out.
 */
const SETUP_TIMEOUT_MS = 4000;
const ATTEMPTS = 8;

/**
 * Creates what is missing of the streams, KV buckets and temp object stores every node
 * relies on, and updates a stream whose settings changed. Idempotent: each node runs it at
 * start; an asset that exists costs one info request.
 */
export async function ensureNatsResources(nats: Nats, config: Config): Promise<void> {
  const jsm = await jetstreamManager(nats.nc, { timeout: SETUP_TIMEOUT_MS });
  for (let attempt = 1; ; attempt++) {
    try {
      return await ensureOnce(nats, jsm, config);
    } catch (err) {
      if (attempt >= ATTEMPTS) throw err;
      // Jitter so nodes that started together stop colliding.
      await new Promise((r) => setTimeout(r, 200 * attempt + Math.random() * 300));
    }
  }
}

async function ensureOnce(nats: Nats, jsm: JetStreamManager, config: Config): Promise<void> {
  const replicas = nats.replicas;
  await ensureStream(jsm, {
    name: STREAMS.JOBS.name,
    subjects: [...STREAMS.JOBS.subjects],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    num_replicas: replicas,
    // Work messages carry the job id as their msgID; remembering ids for the temp-store
    // lifetime lets the stale-job sweeper republish without ever doubling a message.
    duplicate_window: config.tempTtlHours * HOUR_NS,
  });
  await ensureStream(jsm, {
    name: STREAMS.RESULTS.name,
    subjects: [...STREAMS.RESULTS.subjects],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    num_replicas: replicas,
    // Storers replay finished jobs while their temp objects still exist (DESIGN §4.5).
    max_age: config.tempTtlHours * HOUR_NS,
  });
  const kvm = new Kvm(jsm.jetstream());
  const objm = new Objm(jsm.jetstream());
  if (!(await exists(jsm, `KV_${BUCKETS.jobs}`))) await kvm.create(BUCKETS.jobs, { replicas, history: 1 });
  // No job stays open past the temp-store lifetime (the sweeper ends it): delete markers go then.
  if (!(await exists(jsm, `KV_${BUCKETS.jobsOpen}`)))
    await kvm.create(BUCKETS.jobsOpen, { replicas, history: 1, ttl: (config.tempTtlHours + 2) * HOUR_MS });
  if (!(await exists(jsm, `KV_${BUCKETS.jobsRecent}`)))
    await kvm.create(BUCKETS.jobsRecent, { replicas, history: 1, ttl: config.jobListingDays * 24 * HOUR_MS });
  if (!(await exists(jsm, `KV_${BUCKETS.nodes}`))) await kvm.create(BUCKETS.nodes, { replicas, history: 5 });
  if (!(await exists(jsm, `KV_${BUCKETS.delist}`)))
    await kvm.create(BUCKETS.delist, { replicas, history: 5 });
  for (let k = 0; k < config.tempBuckets; k++) {
    const bucket = BUCKETS.temp(k);
    if (await exists(jsm, `OBJ_${bucket}`)) continue;
    await objm.create(bucket, { replicas, ttl: config.tempTtlHours * HOUR_NS, storage: StorageType.File });
  }
}

async function ensureStream(
  jsm: JetStreamManager,
  cfg: Partial<StreamConfig> & { name: string },
): Promise<void> {
  const current = await info(jsm, cfg.name);
  if (!current) {
    await jsm.streams.add(cfg);
  } else if (
    JSON.stringify(current.subjects) !== JSON.stringify(cfg.subjects) ||
    (current.max_age ?? 0) !== (cfg.max_age ?? 0) ||
    (cfg.duplicate_window !== undefined && current.duplicate_window !== cfg.duplicate_window)
  ) {
    await jsm.streams.update(cfg.name, cfg);
  }
}

async function exists(jsm: JetStreamManager, stream: string): Promise<boolean> {
  return (await info(jsm, stream)) !== null;
}

async function info(jsm: JetStreamManager, stream: string): Promise<StreamConfig | null> {
  try {
    return (await jsm.streams.info(stream)).config;
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) return null;
    throw err;
  }
}
