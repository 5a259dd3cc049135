import path from 'node:path';
import os from 'node:os';
import { StorageError } from './errors';
import { packageVersion } from './paths';

/**
 * Every setting a node reads, with its environment variable and default. The README's
 * configuration table is this list; `describeConfig()` prints it.
 */
export const CONFIG_SPEC = {
  natsUrl: { env: 'NATS_SERVER_URL', default: 'nats://127.0.0.1:4222', doc: 'NATS servers, comma separated' },
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
} as const;

type Key = keyof typeof CONFIG_SPEC;

export interface Config {
  natsUrl: string[];
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

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = int(env, 'port', 0);
  return {
    natsUrl: raw(env, 'natsUrl')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    storageUrl: raw(env, 'storageUrl'),
    port,
    listenHost: raw(env, 'listenHost'),
    host: raw(env, 'host') || `http://127.0.0.1:${port}`,
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
