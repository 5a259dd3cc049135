import {
  DiscardPolicy,
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
import { StorageError } from '../errors';
import { natsFault } from './faults';
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
      if (natsFault(err) === 'full') throw noRoomForLimits(config, err);
      if (attempt >= ATTEMPTS) throw err;
      // Jitter so nodes that started together stop colliding.
      await new Promise((r) => setTimeout(r, 200 * attempt + Math.random() * 300));
    }
  }
}

/**
 * Every stream and bucket has a byte limit (issue 15). JetStream reserves a limited stream's
 * bytes when it is placed, so the temp object stores can never take the room of the control
 * plane (KV `nodes`, `jobs`, `delist`, the JOBS and RESULTS streams): a full temp store
 * refuses uploads (507 TEMP_STORE_FULL) while heartbeats and job records still write.
 */
export function natsLimits(config: Config) {
  return {
    temp: Math.floor(config.tempMaxBytes / config.tempBuckets),
    jobs: config.jobsMaxBytes,
    /** KV `jobs_open` and `jobs_recent` (ids only): a quarter of the records' room each. */
    jobIndex: Math.floor(config.jobsMaxBytes / 4),
    nodes: config.nodesMaxBytes,
    delist: config.delistMaxBytes,
    stream: config.streamMaxBytes,
  };
}

async function ensureOnce(nats: Nats, jsm: JetStreamManager, config: Config): Promise<void> {
  const replicas = nats.replicas;
  const limits = natsLimits(config);
  await ensureStream(jsm, {
    name: STREAMS.JOBS.name,
    subjects: [...STREAMS.JOBS.subjects],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    num_replicas: replicas,
    // Work messages carry the job id as their msgID; remembering ids for the temp-store
    // lifetime lets the stale-job sweeper republish without ever doubling a message.
    duplicate_window: config.tempTtlHours * HOUR_NS,
    max_bytes: limits.stream,
    // A full work queue refuses new jobs (the upload is answered 507) instead of dropping
    // the oldest waiting ones.
    discard: DiscardPolicy.New,
  });
  await ensureStream(jsm, {
    name: STREAMS.RESULTS.name,
    subjects: [...STREAMS.RESULTS.subjects],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    num_replicas: replicas,
    // Storers replay finished jobs while their temp objects still exist (DESIGN §4.5).
    max_age: config.tempTtlHours * HOUR_NS,
    max_bytes: limits.stream,
    // An announcement is a replay log entry: when full, the oldest go (repair's audit
    // finishes a job whose announcement a storer missed).
    discard: DiscardPolicy.Old,
  });
  const kvm = new Kvm(jsm.jetstream());
  const objm = new Objm(jsm.jetstream());
  const kv: [string, number, number, number?][] = [
    [BUCKETS.jobs, 1, limits.jobs],
    // No job stays open past the temp-store lifetime (the sweeper ends it): delete markers go then.
    [BUCKETS.jobsOpen, 1, limits.jobIndex, (config.tempTtlHours + 2) * HOUR_MS],
    [BUCKETS.jobsRecent, 1, limits.jobIndex, config.jobListingDays * 24 * HOUR_MS],
    // One small entry per job ever made, as KV `jobs` keeps every record.
    [BUCKETS.jobsByShard, 1, limits.jobIndex],
    [BUCKETS.nodes, 5, limits.nodes],
    [BUCKETS.delist, 5, limits.delist],
    // CID → file name (issue 16): a few small entries a job, as the job indexes are.
    [BUCKETS.cids, 1, limits.jobIndex],
    // A slot lives an hour by default; its record stays until the temp store forgets uploads,
    // and at least an hour past the slot's own end (a record gone first would refuse a
    // completion whose URLs still worked).
    [
      BUCKETS.uploadSlots,
      1,
      limits.jobIndex,
      Math.max(config.tempTtlHours * HOUR_MS, config.uploadSlotSeconds * 1000 + HOUR_MS),
    ],
  ];
  for (const [bucket, history, maxBytes, ttl] of kv) {
    const stream = `KV_${bucket}`;
    if (!(await exists(jsm, stream)))
      await kvm.create(bucket, { replicas, history, max_bytes: maxBytes, ...(ttl ? { ttl } : {}) });
    else await ensureMaxBytes(jsm, stream, maxBytes);
  }
  for (let k = 0; k < config.tempBuckets; k++) {
    const bucket = BUCKETS.temp(k);
    if (await exists(jsm, `OBJ_${bucket}`)) {
      await ensureMaxBytes(jsm, `OBJ_${bucket}`, limits.temp);
      continue;
    }
    await objm.create(bucket, {
      replicas,
      ttl: config.tempTtlHours * HOUR_NS,
      storage: StorageType.File,
      max_bytes: limits.temp,
    });
  }
}

/** Brings a bucket made before the limits (or under other settings) to its configured size. */
async function ensureMaxBytes(jsm: JetStreamManager, stream: string, maxBytes: number): Promise<void> {
  const current = await info(jsm, stream);
  if (current && current.max_bytes !== maxBytes)
    await jsm.streams.update(stream, { ...current, max_bytes: maxBytes });
}

function noRoomForLimits(config: Config, cause: unknown): StorageError {
  const gib = (n: number) => `${(n / 1024 ** 3).toFixed(2)} GiB`;
  return new StorageError(
    'BAD_CONFIG',
    `JetStream cannot reserve the configured limits (temp stores ${gib(config.tempMaxBytes)}, jobs ${gib(config.jobsMaxBytes)}, ` +
      `streams 2 × ${gib(config.streamMaxBytes)}): give the NATS servers more storage (jetstream max_file_store) ` +
      `or lower AUDIUS_TEMP_MAX_BYTES (${(cause as Error).message})`,
    { cause },
  );
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
    current.max_bytes !== cfg.max_bytes ||
    current.discard !== cfg.discard ||
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
