import path from 'node:path';
import os from 'node:os';
import { StorageError } from './errors';
import { packageVersion } from './paths';
import { parseReadPolicy, type ReadPolicy } from './access/policy';
import { uploadMode, type UploadMode } from './access/upload-mode';
import { ASSIGNMENT_MODES, type AssignmentMode } from './placement/types';
import { hostUrlProblem } from './membership/host-url';

/**
 * Every setting a node reads, with its environment variable and default. The README's
 * configuration table is this list; `describeConfig()` prints it.
 */
export const CONFIG_SPEC = {
  natsUrl: { env: 'NATS_SERVER_URL', default: 'nats://127.0.0.1:4222', doc: 'NATS servers, comma separated' },
  // NATS security (issue 15, docs/nats-security.md): at most one way to authenticate.
  natsCreds: {
    env: 'AUDIUS_NATS_CREDS',
    default: '',
    doc: "A NATS `.creds` file (the user's JWT and NKey seed) to authenticate with",
  },
  natsNkeySeed: {
    env: 'AUDIUS_NATS_NKEY_SEED',
    default: '',
    doc: "This node's NATS NKey user seed (`SU…`), or the path of a file holding it",
  },
  natsUser: { env: 'AUDIUS_NATS_USER', default: '', doc: 'NATS user name (with AUDIUS_NATS_PASSWORD)' },
  natsPassword: { env: 'AUDIUS_NATS_PASSWORD', default: '', doc: 'NATS password of AUDIUS_NATS_USER' },
  natsTlsCa: {
    env: 'AUDIUS_NATS_TLS_CA',
    default: '',
    doc: "PEM file of the CA that signed the NATS servers' certificates (turns TLS on)",
  },
  natsTlsCert: {
    env: 'AUDIUS_NATS_TLS_CERT',
    default: '',
    doc: "PEM client certificate, for servers that verify clients' certificates (with AUDIUS_NATS_TLS_KEY)",
  },
  natsTlsKey: { env: 'AUDIUS_NATS_TLS_KEY', default: '', doc: 'PEM private key of AUDIUS_NATS_TLS_CERT' },
  storageUrl: {
    env: 'storage_driver_url',
    alias: 'AUDIUS_STORAGE_DRIVER_URL',
    default: 'file:///tmp/audius_storage',
    doc: 'Long-term blob store: file://, s3://, gcs:// (gs://) or azblob://',
  },
  port: { env: 'AUDIUS_PORT', default: '9924', doc: 'HTTP port' },
  listenHost: { env: 'AUDIUS_LISTEN_HOST', default: '127.0.0.1', doc: 'Interface the HTTP server binds' },
  host: { env: 'AUDIUS_HOST', default: '', doc: 'Public URL of this node (default http://127.0.0.1:<port>)' },
  dataDir: {
    env: 'AUDIUS_DATA_DIR',
    default: path.join(os.homedir(), '.audius-storage'),
    doc: 'Node state: the generated delegate key lives here',
  },
  delegateKey: {
    env: 'AUDIUS_DELEGATE_PRIVATE_KEY',
    default: '',
    doc: 'secp256k1 key (hex); generated when empty',
  },
  namespace: {
    env: 'AUDIUS_NAMESPACE',
    default: '0',
    doc: 'Key prefix of long-term shards (`<ns>_<shard>/`)',
  },
  shardLength: { env: 'AUDIUS_SHARD_LENGTH', default: '3', doc: 'Characters of an id that name its shard' },
  replicationFactor: {
    env: 'AUDIUS_REPLICATION_FACTOR',
    default: '3',
    doc: 'Nodes that store each shard (R)',
  },
  natsReplicas: {
    env: 'AUDIUS_NATS_REPLICAS',
    default: '1',
    doc: 'Replicas of streams, KV and object stores',
  },
  tempBuckets: { env: 'AUDIUS_TEMP_BUCKETS', default: '4', doc: 'Number of temp object stores (`temp_<k>`)' },
  tempTtlHours: {
    env: 'AUDIUS_TEMP_TTL_HOURS',
    default: '24',
    doc: 'How long uploads stay in the temp stores',
  },
  maxUploadBytes: {
    env: 'AUDIUS_MAX_UPLOAD_BYTES',
    default: String(2 * 1024 ** 3),
    doc: 'Largest accepted file',
  },
  heartbeatSeconds: { env: 'AUDIUS_HEARTBEAT_SECONDS', default: '3', doc: 'Membership heartbeat interval' },
  healthTtlSeconds: {
    env: 'AUDIUS_HEALTH_TTL_SECONDS',
    default: '10',
    doc: 'A node whose heartbeat is older than this is unhealthy',
  },
  workerConcurrency: {
    env: 'AUDIUS_WORKER_CONCURRENCY',
    default: '0',
    doc: "Override of how many jobs of each step this node runs at once; 0 keeps serverless.yml's",
  },
  ackWaitSeconds: {
    env: 'AUDIUS_ACK_WAIT_SECONDS',
    default: '0',
    doc: "Override of every step's ackWait (seconds before a silent worker's job is redelivered); 0 keeps serverless.yml's",
  },
  maxAudioSeconds: {
    env: 'AUDIUS_MAX_AUDIO_SECONDS',
    default: '10800',
    doc: 'Longer audio uploads end in error',
  },
  maxImagePixels: {
    env: 'AUDIUS_MAX_IMAGE_PIXELS',
    default: String(100_000_000),
    doc: 'Larger images end in error (decompression-bomb guard)',
  },
  ffmpegThreads: { env: 'AUDIUS_FFMPEG_THREADS', default: '2', doc: 'Threads one ffmpeg transcode may use' },
  nodeName: { env: 'AUDIUS_NODE_NAME', default: os.hostname(), doc: 'Name used in logs' },
  repairDebounceSeconds: {
    env: 'AUDIUS_REPAIR_DEBOUNCE_SECONDS',
    default: '5',
    doc: 'Repair runs this long after the last ring change (the schedule runs it too: serverless.yml `repair`)',
  },
  repairGraceSeconds: {
    env: 'AUDIUS_REPAIR_GRACE_SECONDS',
    default: '3600',
    doc: 'A node keeps copies of shards it no longer owns this long after its ring last changed (docs/repair.md)',
  },
  repairConcurrency: {
    env: 'AUDIUS_REPAIR_CONCURRENCY',
    default: '4',
    doc: 'Repair pulls in flight at once',
  },
  repairMaxMBps: {
    env: 'AUDIUS_REPAIR_MAX_MBPS',
    default: '64',
    doc: 'Bandwidth cap of repair pulls, MB/s (0: no cap)',
  },
  repairAuditSeconds: {
    env: 'AUDIUS_REPAIR_AUDIT_SECONDS',
    default: '900',
    doc: 'At most this often a repair pass also walks the job records (unfinished jobs, lost files)',
  },
  scrubMBps: {
    env: 'AUDIUS_SCRUB_MBPS',
    default: '16',
    doc: 'Rate the scrub re-hashes stored copies, MB/s (0: no scrub)',
  },
  peerTimeoutSeconds: {
    env: 'AUDIUS_PEER_TIMEOUT_SECONDS',
    default: '10',
    doc: 'A peer that does not answer (or stops sending a pull) for this long is skipped',
  },
  nodeSignatureWindowSeconds: {
    env: 'AUDIUS_NODE_SIGNATURE_WINDOW_SECONDS',
    default: '60',
    doc: 'Node-to-node request signatures older (or newer) than this are refused',
  },
  // Placement operations (issue 18, docs/placement.md): assignment mode, weights, drain.
  placementAssignment: {
    env: 'AUDIUS_PLACEMENT_ASSIGNMENT',
    default: 'rendezvous',
    doc: 'How shards are assigned: `rendezvous` or `bounded` (rendezvous with bounded loads); network-wide, like the shard length',
  },
  placementLoadBound: {
    env: 'AUDIUS_PLACEMENT_LOAD_BOUND',
    default: '0.04',
    doc: '`bounded` only: ε, no node holds more than (1 + ε) × its weighted share of shard replicas; network-wide',
  },
  placementWeight: {
    env: 'AUDIUS_PLACEMENT_WEIGHT',
    default: '1',
    doc: "This node's placement weight: a number > 0, or `capacity` (its blob store's size in TB, at most AUDIUS_PLACEMENT_WEIGHT_MAX; 1 when unknown)",
  },
  placementWeightMax: {
    env: 'AUDIUS_PLACEMENT_WEIGHT_MAX',
    default: '16',
    doc: 'Largest weight `AUDIUS_PLACEMENT_WEIGHT=capacity` gives',
  },
  drain: {
    env: 'AUDIUS_DRAIN',
    default: 'false',
    doc: 'Start this node draining (it owns no shards; kept until every file it holds is on R other owners); also set by the signed `POST /storage/drain`',
  },
  // Hardening (issue 15, README "Hardening").
  jobListingDays: {
    env: 'AUDIUS_JOB_LISTING_DAYS',
    default: '7',
    doc: '`GET /jobs` and the dashboard list the jobs of this many days (older ones stay readable by id)',
  },
  // Access control (issue 11, README "Access control"). The defaults are the secure ones.
  gatedVariants: {
    env: 'AUDIUS_GATED_VARIANTS',
    default: 'audio:320',
    doc: 'Reads that need a stream signature: `template:variant` list (`img_square:*` for all), or `none` (open)',
  },
  streamSigners: {
    env: 'AUDIUS_STREAM_SIGNERS',
    default: '',
    doc: 'Wallets whose stream signatures are accepted, comma separated',
  },
  membersSignStreams: {
    env: 'AUDIUS_MEMBERS_SIGN_STREAMS',
    default: 'true',
    doc: "Also accept stream signatures of the cluster's healthy members (their delegate keys)",
  },
  streamSignatureHours: {
    env: 'AUDIUS_STREAM_SIGNATURE_HOURS',
    default: '48',
    doc: 'How long a stream signature stays valid after its timestamp',
  },
  signatureSkewSeconds: {
    env: 'AUDIUS_SIGNATURE_SKEW_SECONDS',
    default: '120',
    doc: 'How far in the future a signed timestamp may be (clock skew)',
  },
  uploadMode: {
    env: 'AUDIUS_UPLOAD_MODE',
    default: 'signed',
    doc: 'Who may upload: `open`, `signed` (any wallet, signed envelope) or `allowlist` (AUDIUS_UPLOAD_WALLETS)',
  },
  uploadWallets: {
    env: 'AUDIUS_UPLOAD_WALLETS',
    default: '',
    doc: 'Wallets allowed to upload in `allowlist` mode, comma separated',
  },
  uploadSignatureSeconds: {
    env: 'AUDIUS_UPLOAD_SIGNATURE_SECONDS',
    default: '3600',
    doc: 'How long an upload signature stays valid after its timestamp',
  },
  operatorWallets: {
    env: 'AUDIUS_OPERATOR_WALLETS',
    default: '',
    doc: 'Wallets whose signed requests may delist and relist files, comma separated',
  },
  // The Audius client API (issue 16, README "Audius SDK compatibility").
  keepOriginals: {
    env: 'AUDIUS_KEEP_ORIGINALS',
    default: 'true',
    doc: 'Keep each upload as a stored, replicated result `<id>_original.<ext>` (mediorum keeps originals)',
  },
  tusExpiryHours: {
    env: 'AUDIUS_TUS_EXPIRY_HOURS',
    default: '24',
    doc: 'An unfinished tus upload is deleted this long after its creation (@tus/file-store counts from creation; its partial bytes live under AUDIUS_DATA_DIR/tus)',
  },
  minFreeDiskMB: {
    env: 'AUDIUS_MIN_FREE_DISK_MB',
    default: '1024',
    doc: 'Below this much free space (data dir, file store) the node is unhealthy, out of placement for new work, /health_check says diskHasSpace=false and tus uploads are refused',
  },
  storeProbeSeconds: {
    env: 'AUDIUS_STORE_PROBE_SECONDS',
    default: '15',
    doc: 'How often the node probes its blob store (a small write, and free space); a failing or full store takes it out of placement until a probe passes',
  },
  // Cloud deployment (README "Deploying to AWS"): where NATS-triggered steps run.
  stepInvoker: {
    env: 'AUDIUS_STEP_INVOKER',
    default: 'in-process',
    doc: '`in-process` runs NATS-triggered functions in this process; `lambda` invokes the deployed functions (the bridge)',
  },
  lambdaEndpoint: {
    env: 'AUDIUS_LAMBDA_ENDPOINT',
    default: '',
    doc: "Lambda API endpoint for `lambda` steps (empty: AWS's; serverless-offline: http://127.0.0.1:3002)",
  },
  lambdaPrefix: {
    env: 'AUDIUS_LAMBDA_PREFIX',
    default: 'storage-v2-dev-',
    doc: 'Deployed function name = this prefix + the serverless.yml function key (osls: service-stage-)',
  },
  // Hardening (issue 15b): JetStream faults and limits, upload bounds. README "Limits".
  natsTimeoutSeconds: {
    env: 'AUDIUS_NATS_TIMEOUT_SECONDS',
    default: '5',
    doc: 'One JetStream request (publish, KV read or write) waits this long for its answer',
  },
  natsRetrySeconds: {
    env: 'AUDIUS_NATS_RETRY_SECONDS',
    default: '20',
    doc: 'Transient JetStream faults (leader elections, a server restarting) are retried this long; then 503 NATS_UNAVAILABLE',
  },
  tempMaxBytes: {
    env: 'AUDIUS_TEMP_MAX_BYTES',
    default: String(8 * 1024 ** 3),
    doc: 'Bytes all temp object stores may hold together (each gets its share); uploads past 80 % of a store are 507 TEMP_STORE_FULL',
  },
  jobsMaxBytes: { env: 'AUDIUS_JOBS_MAX_BYTES', default: String(1024 ** 3), doc: 'Bytes of KV `jobs`' },
  nodesMaxBytes: {
    env: 'AUDIUS_NODES_MAX_BYTES',
    default: String(16 * 1024 ** 2),
    doc: 'Bytes of KV `nodes`',
  },
  delistMaxBytes: {
    env: 'AUDIUS_DELIST_MAX_BYTES',
    default: String(64 * 1024 ** 2),
    doc: 'Bytes of KV `delist`',
  },
  streamMaxBytes: {
    env: 'AUDIUS_STREAM_MAX_BYTES',
    default: String(256 * 1024 ** 2),
    doc: 'Bytes of each of the streams JOBS and RESULTS',
  },
  requestTimeoutSeconds: {
    env: 'AUDIUS_REQUEST_TIMEOUT_SECONDS',
    default: '3600',
    doc: 'A whole request (an upload included) must be received within this',
  },
  headersTimeoutSeconds: {
    env: 'AUDIUS_HEADERS_TIMEOUT_SECONDS',
    default: '15',
    doc: "A request's headers must arrive within this",
  },
  idleTimeoutSeconds: {
    env: 'AUDIUS_IDLE_TIMEOUT_SECONDS',
    default: '30',
    doc: 'A connection that sends nothing for this long is closed',
  },
  uploadMinBytesPerSecond: {
    env: 'AUDIUS_UPLOAD_MIN_BYTES_PER_SECOND',
    default: '4096',
    doc: 'An upload body slower than this over any idle-timeout window is cut (408 UPLOAD_TOO_SLOW)',
  },
  maxDirectBodyMB: {
    env: 'AUDIUS_MAX_DIRECT_BODY_MB',
    default: '0',
    doc: 'Largest request body the path to this node carries, MB (API Gateway: 10); larger files go through presigned upload slots. 0: no limit',
  },
  uploadSlotSeconds: {
    env: 'AUDIUS_UPLOAD_SLOT_SECONDS',
    default: '3600',
    doc: 'How long a presigned upload slot (and its S3 URLs) stays valid, seconds (at most 604800)',
  },
  uploadsPerClient: {
    env: 'AUDIUS_UPLOADS_PER_CLIENT',
    default: '4',
    doc: 'Uploads one client address may have in flight at once (429 TOO_MANY_UPLOADS past it)',
  },
  uploadsPerClientPerMinute: {
    env: 'AUDIUS_UPLOADS_PER_CLIENT_PER_MINUTE',
    default: '120',
    doc: 'Uploads one client address may start a minute (429 TOO_MANY_UPLOADS past it; 0: no limit)',
  },
  uploadInFlightBytes: {
    env: 'AUDIUS_UPLOAD_IN_FLIGHT_BYTES',
    default: String(4 * 1024 ** 3),
    doc: 'Upload bytes this node receives at once, all clients together (503 UPLOADS_BUSY past it)',
  },
  // Read path (issue 14, README "Reads"): what a node keeps in memory to serve reads.
  readCacheMB: {
    env: 'AUDIUS_READ_CACHE_MB',
    default: '256',
    doc: "Memory budget of the read cache, MiB: small files' verified bytes plus every cached file's metadata (0: no cache)",
  },
  readCacheMaxFileKB: {
    env: 'AUDIUS_READ_CACHE_MAX_FILE_KB',
    default: '1024',
    doc: 'Largest file whose bytes the read cache holds on its first read, KiB; larger files stream from the store until read 8 times within a minute (then held too, up to an eighth of AUDIUS_READ_CACHE_MB)',
  },
} as const;

type Key = keyof typeof CONFIG_SPEC;

export interface Config {
  natsUrl: string[];
  /** How this process authenticates to NATS and whether it speaks TLS (shared/nats/auth.ts). */
  natsAuth: NatsAuth;
  storageUrl: string;
  port: number;
  listenHost: string;
  host: string;
  dataDir: string;
  delegateKey: string;
  namespace: string;
  shardLength: number;
  replicationFactor: number;
  natsReplicas: number;
  tempBuckets: number;
  tempTtlHours: number;
  maxUploadBytes: number;
  heartbeatSeconds: number;
  healthTtlSeconds: number;
  workerConcurrency: number;
  ackWaitSeconds: number;
  maxAudioSeconds: number;
  maxImagePixels: number;
  ffmpegThreads: number;
  nodeName: string;
  repairDebounceSeconds: number;
  repairGraceSeconds: number;
  repairConcurrency: number;
  repairMaxMBps: number;
  repairAuditSeconds: number;
  scrubMBps: number;
  peerTimeoutSeconds: number;
  nodeSignatureWindowSeconds: number;
  jobListingDays: number;
  gatedVariants: ReadPolicy;
  streamSigners: string[];
  membersSignStreams: boolean;
  streamSignatureHours: number;
  signatureSkewSeconds: number;
  uploadMode: UploadMode;
  uploadWallets: string[];
  uploadSignatureSeconds: number;
  operatorWallets: string[];
  keepOriginals: boolean;
  tusExpiryHours: number;
  minFreeDiskMB: number;
  storeProbeSeconds: number;
  stepInvoker: 'in-process' | 'lambda';
  lambdaEndpoint: string;
  lambdaPrefix: string;
  placementAssignment: AssignmentMode;
  placementLoadBound: number;
  /** A fixed weight, or `capacity`: follow the blob store's size (shared/drain/weight.ts). */
  placementWeight: number | 'capacity';
  placementWeightMax: number;
  drain: boolean;
  natsTimeoutSeconds: number;
  natsRetrySeconds: number;
  tempMaxBytes: number;
  jobsMaxBytes: number;
  nodesMaxBytes: number;
  delistMaxBytes: number;
  streamMaxBytes: number;
  requestTimeoutSeconds: number;
  headersTimeoutSeconds: number;
  idleTimeoutSeconds: number;
  uploadMinBytesPerSecond: number;
  /** MB; 0 when nothing in front of the node limits bodies. */
  maxDirectBodyMB: number;
  uploadSlotSeconds: number;
  uploadsPerClient: number;
  uploadsPerClientPerMinute: number;
  uploadInFlightBytes: number;
  readCacheMB: number;
  readCacheMaxFileKB: number;
  version: string;
}

function raw(env: NodeJS.ProcessEnv, key: Key): string {
  const spec = CONFIG_SPEC[key];
  const value = env[spec.env] ?? ('alias' in spec ? env[spec.alias] : undefined);
  return value === undefined || value === '' ? spec.default : value;
}

function int(env: NodeJS.ProcessEnv, key: Key, min: number): number {
  const text = raw(env, key);
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) {
    throw new StorageError('BAD_CONFIG', `${CONFIG_SPEC[key].env}=${text}: expected an integer >= ${min}`);
  }
  return n;
}

/** SigV4 presigned URLs live at most 7 days: a longer slot would fail at every open. */
function slotSeconds(env: NodeJS.ProcessEnv): number {
  const n = int(env, 'uploadSlotSeconds', 1);
  if (n > 604_800)
    throw new StorageError(
      'BAD_CONFIG',
      `${CONFIG_SPEC.uploadSlotSeconds.env}=${n}: at most 604800 (7 days, the longest a presigned S3 URL lives)`,
    );
  return n;
}

/** A comma-separated list of `0x…` addresses, lower-cased (recovered signers are). */
function wallets(env: NodeJS.ProcessEnv, key: Key): string[] {
  const list = raw(env, key)
    .split(',')
    .map((w) => w.trim().toLowerCase())
    .filter(Boolean);
  const bad = list.find((w) => !/^0x[0-9a-f]{40}$/.test(w));
  if (bad) throw new StorageError('BAD_CONFIG', `${CONFIG_SPEC[key].env}: ${bad} is not a 0x… address`);
  return list;
}

function bool(env: NodeJS.ProcessEnv, key: Key): boolean {
  const text = raw(env, key).toLowerCase();
  if (text !== 'true' && text !== 'false')
    throw new StorageError('BAD_CONFIG', `${CONFIG_SPEC[key].env}=${text}: expected true or false`);
  return text === 'true';
}

function stepInvoker(text: string): Config['stepInvoker'] {
  if (text === 'in-process' || text === 'lambda') return text;
  throw new StorageError('BAD_CONFIG', `AUDIUS_STEP_INVOKER=${text}: expected in-process or lambda`);
}

/** A finite number > 0 (or ≥ 0 with `zero`). */
function positive(env: NodeJS.ProcessEnv, key: Key, zero = false): number {
  const text = raw(env, key);
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !zero) || text.trim() === '') {
    throw new StorageError(
      'BAD_CONFIG',
      `${CONFIG_SPEC[key].env}=${text}: expected a number ${zero ? '>= 0' : '> 0'}`,
    );
  }
  return n;
}

function assignment(env: NodeJS.ProcessEnv): AssignmentMode {
  const text = raw(env, 'placementAssignment');
  if (!ASSIGNMENT_MODES.includes(text as AssignmentMode)) {
    throw new StorageError(
      'BAD_CONFIG',
      `${CONFIG_SPEC.placementAssignment.env}=${text}: expected ${ASSIGNMENT_MODES.join(' or ')}`,
    );
  }
  return text as AssignmentMode;
}

/** True for an address only this machine can reach. */
export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}

/**
 * AUDIUS_HOST, checked as peers check it (a node must not publish a host they would refuse).
 * A node listening beyond loopback (a container) must say where it is reached (issue 15):
 * peers would otherwise redirect clients to its 127.0.0.1.
 */
function publicHost(env: NodeJS.ProcessEnv, port: number, listenHost: string): string {
  if (!raw(env, 'host') && !isLoopback(listenHost))
    throw new StorageError(
      'BAD_CONFIG',
      `AUDIUS_LISTEN_HOST=${listenHost} listens beyond this machine: set AUDIUS_HOST to the public URL peers and clients reach this node at (http(s)://host[:port])`,
    );
  const host = raw(env, 'host') || `http://127.0.0.1:${port}`;
  const problem = hostUrlProblem(host);
  if (problem)
    throw new StorageError('BAD_CONFIG', `AUDIUS_HOST=${host} ${problem}: expected http(s)://host[:port]`);
  return host;
}

/** NATS credentials and TLS files as set (checked and read by shared/nats/auth.ts at connect). */
export interface NatsAuth {
  credsFile: string;
  nkeySeed: string;
  user: string;
  password: string;
  tlsCa: string;
  tlsCert: string;
  tlsKey: string;
}

/** Also for tools that need NATS but not a node's whole configuration (the archiver). */
export function natsAuthFromEnv(env: NodeJS.ProcessEnv = process.env): NatsAuth {
  return {
    credsFile: raw(env, 'natsCreds'),
    nkeySeed: raw(env, 'natsNkeySeed'),
    user: raw(env, 'natsUser'),
    password: raw(env, 'natsPassword'),
    tlsCa: raw(env, 'natsTlsCa'),
    tlsCert: raw(env, 'natsTlsCert'),
    tlsKey: raw(env, 'natsTlsKey'),
  };
}

/** AUDIUS_SHARD_LENGTH alone, for tools that write the shard index (the archiver). */
export function shardLengthFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  return int(env, 'shardLength', 1);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = int(env, 'port', 0);
  return {
    natsUrl: raw(env, 'natsUrl')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    natsAuth: natsAuthFromEnv(env),
    storageUrl: raw(env, 'storageUrl'),
    port,
    listenHost: raw(env, 'listenHost'),
    host: publicHost(env, port, raw(env, 'listenHost')),
    dataDir: raw(env, 'dataDir'),
    delegateKey: raw(env, 'delegateKey'),
    namespace: raw(env, 'namespace'),
    shardLength: int(env, 'shardLength', 1),
    replicationFactor: int(env, 'replicationFactor', 1),
    natsReplicas: int(env, 'natsReplicas', 1),
    tempBuckets: int(env, 'tempBuckets', 1),
    tempTtlHours: int(env, 'tempTtlHours', 1),
    maxUploadBytes: int(env, 'maxUploadBytes', 1),
    heartbeatSeconds: int(env, 'heartbeatSeconds', 1),
    healthTtlSeconds: int(env, 'healthTtlSeconds', 2),
    workerConcurrency: int(env, 'workerConcurrency', 0),
    ackWaitSeconds: int(env, 'ackWaitSeconds', 0),
    maxAudioSeconds: int(env, 'maxAudioSeconds', 1),
    maxImagePixels: int(env, 'maxImagePixels', 1),
    ffmpegThreads: int(env, 'ffmpegThreads', 1),
    nodeName: raw(env, 'nodeName'),
    repairDebounceSeconds: int(env, 'repairDebounceSeconds', 0),
    repairGraceSeconds: int(env, 'repairGraceSeconds', 0),
    repairConcurrency: int(env, 'repairConcurrency', 1),
    repairMaxMBps: int(env, 'repairMaxMBps', 0),
    repairAuditSeconds: int(env, 'repairAuditSeconds', 1),
    scrubMBps: int(env, 'scrubMBps', 0),
    peerTimeoutSeconds: int(env, 'peerTimeoutSeconds', 1),
    nodeSignatureWindowSeconds: int(env, 'nodeSignatureWindowSeconds', 5),
    jobListingDays: int(env, 'jobListingDays', 1),
    gatedVariants: parseReadPolicy(raw(env, 'gatedVariants')),
    streamSigners: wallets(env, 'streamSigners'),
    membersSignStreams: bool(env, 'membersSignStreams'),
    streamSignatureHours: int(env, 'streamSignatureHours', 1),
    signatureSkewSeconds: int(env, 'signatureSkewSeconds', 0),
    uploadMode: uploadMode(raw(env, 'uploadMode')),
    uploadWallets: wallets(env, 'uploadWallets'),
    uploadSignatureSeconds: int(env, 'uploadSignatureSeconds', 1),
    operatorWallets: wallets(env, 'operatorWallets'),
    keepOriginals: bool(env, 'keepOriginals'),
    tusExpiryHours: int(env, 'tusExpiryHours', 1),
    minFreeDiskMB: int(env, 'minFreeDiskMB', 0),
    storeProbeSeconds: int(env, 'storeProbeSeconds', 1),
    stepInvoker: stepInvoker(raw(env, 'stepInvoker')),
    lambdaEndpoint: raw(env, 'lambdaEndpoint'),
    lambdaPrefix: raw(env, 'lambdaPrefix'),
    placementAssignment: assignment(env),
    placementLoadBound: positive(env, 'placementLoadBound', true),
    placementWeight:
      raw(env, 'placementWeight') === 'capacity' ? 'capacity' : positive(env, 'placementWeight'),
    placementWeightMax: positive(env, 'placementWeightMax'),
    drain: bool(env, 'drain'),
    natsTimeoutSeconds: int(env, 'natsTimeoutSeconds', 1),
    natsRetrySeconds: int(env, 'natsRetrySeconds', 0),
    tempMaxBytes: int(env, 'tempMaxBytes', 1024 ** 2),
    jobsMaxBytes: int(env, 'jobsMaxBytes', 1024 ** 2),
    nodesMaxBytes: int(env, 'nodesMaxBytes', 64 * 1024),
    delistMaxBytes: int(env, 'delistMaxBytes', 64 * 1024),
    streamMaxBytes: int(env, 'streamMaxBytes', 1024 ** 2),
    requestTimeoutSeconds: int(env, 'requestTimeoutSeconds', 1),
    headersTimeoutSeconds: int(env, 'headersTimeoutSeconds', 1),
    idleTimeoutSeconds: int(env, 'idleTimeoutSeconds', 1),
    uploadMinBytesPerSecond: int(env, 'uploadMinBytesPerSecond', 0),
    maxDirectBodyMB: int(env, 'maxDirectBodyMB', 0),
    uploadSlotSeconds: slotSeconds(env),
    uploadsPerClient: int(env, 'uploadsPerClient', 1),
    uploadsPerClientPerMinute: int(env, 'uploadsPerClientPerMinute', 0),
    uploadInFlightBytes: int(env, 'uploadInFlightBytes', 1024 ** 2),
    readCacheMB: int(env, 'readCacheMB', 0),
    readCacheMaxFileKB: int(env, 'readCacheMaxFileKB', 0),
    version: packageVersion(),
  };
}

/** The configuration table as Markdown (README). */
export function describeConfig(): string {
  const rows = Object.values(CONFIG_SPEC).map((s) => {
    const name = 'alias' in s ? `${s.env} (or ${s.alias})` : s.env;
    return `| \`${name}\` | \`${s.default}\` | ${s.doc} |`;
  });
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
