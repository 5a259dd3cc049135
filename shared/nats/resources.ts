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
import { Objm } from '@nats-io/obj';
import type { Config } from '../config';
import { StorageError } from '../errors';
import type { Logger } from '../log';
import { isPermissionViolation, natsFault } from './faults';
import type { Nats } from './connection';
import { kvStreamConfig } from './kv-stream';
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

/** Stream → the settings it keeps because this user may not update it (`name old → new`). */
type Refused = Map<string, string[]>;

/**
 * Creates what is missing of the streams, KV buckets and temp object stores every node
 * relies on, and updates a stream whose settings changed. Idempotent: each node runs it at
 * start; an asset that exists costs one info request. A node's own NATS user may not update
 * the control-plane streams (nodePermissions): such an update is left to an admin, with one
 * warning per stream, and the node starts with the settings as they are.
 */
export async function ensureNatsResources(nats: Nats, config: Config, log: Logger): Promise<void> {
  const jsm = await jetstreamManager(nats.nc, { timeout: SETUP_TIMEOUT_MS });
  const refused: Refused = new Map();
  for (let attempt = 1; ; attempt++) {
    try {
      await ensureOnce(nats, jsm, config, refused);
      break;
    } catch (err) {
      if (natsFault(err) === 'full') throw noRoomForLimits(config, err);
      if (attempt >= ATTEMPTS) throw err;
      // Jitter so nodes that started together stop colliding.
      await new Promise((r) => setTimeout(r, 200 * attempt + Math.random() * 300));
    }
  }
  for (const [stream, changes] of refused)
    log.warn(
      { stream, changes },
      `NATS stream ${stream} keeps its old settings (${changes.join(', ')}): this node's NATS user may not update it; ` +
        'an admin user must apply them (docs/nats-security.md, "Settings only an admin applies")',
    );
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

/** What an existing JOBS or RESULTS stream is brought to (the rest stays as it was made). */
const STREAM_SETTINGS = ['subjects', 'max_age', 'max_bytes', 'discard', 'duplicate_window'] as const;
/** What an existing KV bucket is brought to: its size, and rollups refused (kv-stream.ts). */
const KV_SETTINGS = ['max_bytes', 'allow_rollup_hdrs'] as const;

async function ensureOnce(
  nats: Nats,
  jsm: JetStreamManager,
  config: Config,
  refused: Refused,
): Promise<void> {
  const replicas = nats.replicas;
  const limits = natsLimits(config);
  const ensure = (cfg: Wanted, keys: readonly (keyof StreamConfig)[]) =>
    ensureStream(jsm, cfg, keys, refused);
  await ensure(
    {
      name: STREAMS.JOBS.name,
      subjects: [...STREAMS.JOBS.subjects],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      num_replicas: replicas,
      max_age: 0,
      // Work messages carry the job id as their msgID; remembering ids for the temp-store
      // lifetime lets the stale-job sweeper republish without ever doubling a message.
      duplicate_window: config.tempTtlHours * HOUR_NS,
      max_bytes: limits.stream,
      // A full work queue refuses new jobs (the upload is answered 507) instead of dropping
      // the oldest waiting ones.
      discard: DiscardPolicy.New,
    },
    STREAM_SETTINGS,
  );
  await ensure(
    {
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
    },
    STREAM_SETTINGS,
  );
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
  for (const [bucket, history, maxBytes, ttlMs] of kv)
    await ensure(kvStreamConfig(bucket, { replicas, history, maxBytes, ttlMs }), KV_SETTINGS);
  for (let k = 0; k < config.tempBuckets; k++) {
    const bucket = BUCKETS.temp(k);
    const current = await info(jsm, `OBJ_${bucket}`);
    if (current) {
      await ensureSettings(jsm, current, { max_bytes: limits.temp }, refused);
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

type Wanted = Partial<StreamConfig> & { name: string };

/** Creates the stream, or brings an existing one to the `keys` settings of `cfg`. */
async function ensureStream(
  jsm: JetStreamManager,
  cfg: Wanted,
  keys: readonly (keyof StreamConfig)[],
  refused: Refused,
): Promise<void> {
  const current = await info(jsm, cfg.name);
  if (!current) await jsm.streams.add(cfg);
  else await ensureSettings(jsm, current, Object.fromEntries(keys.map((k) => [k, cfg[k]])), refused);
}

/**
 * Updates the settings of `wanted` that `current` lacks (an undefined one is not checked).
 * An update this user is refused (a node's user on a control-plane stream) goes to `refused`.
 */
async function ensureSettings(
  jsm: JetStreamManager,
  current: StreamConfig,
  wanted: Partial<StreamConfig>,
  refused: Refused,
): Promise<void> {
  const show = (v: unknown) => JSON.stringify(v ?? null);
  const changed = Object.entries(wanted).filter(
    ([k, v]) => v !== undefined && show(current[k as keyof StreamConfig]) !== show(v),
  );
  if (changed.length === 0) return;
  try {
    await jsm.streams.update(current.name, Object.fromEntries(changed));
  } catch (err) {
    if (!isPermissionViolation(err)) throw err;
    refused.set(
      current.name,
      changed.map(([k, v]) => `${k} ${show(current[k as keyof StreamConfig])} → ${show(v)}`),
    );
  }
}

async function info(jsm: JetStreamManager, stream: string): Promise<StreamConfig | null> {
  try {
    return (await jsm.streams.info(stream)).config;
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) return null;
    throw err;
  }
}
