import type { NatsConnection } from '@nats-io/transport-node';
import {
  jetstreamManager,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { Kvm, KvWatchInclude } from '@nats-io/kv';
import type { Config } from '../../shared/config';
import type { NodeRecord } from '../../shared/membership/types';
import { connectWith } from '../../shared/nats/connection';
import { BUCKETS, STREAMS } from '../../shared/nats/names';
import { errorText, fail, ok, skip, warn, type Check } from './check';

const CONNECT_TIMEOUT_MS = 3000;
/** Beyond this a node's clock is worth fixing; beyond half the signature window, node-to-node requests fail. */
const SKEW_WARN_MS = 2000;

/**
 * NATS as the node will use it: reachable, JetStream on, every stream and bucket with the
 * replicas the node is configured for, and clocks (this machine's and each node's) against
 * the NATS server's.
 */
export async function checkNats(config: Config): Promise<Check[]> {
  const servers = config.natsUrl.join(', ');
  let nc: NatsConnection;
  try {
    nc = await connectWith(config.natsAuth, {
      servers: config.natsUrl,
      name: 'storage-doctor',
      timeout: CONNECT_TIMEOUT_MS,
      reconnect: false,
    });
  } catch (err) {
    return [
      fail(
        'NATS reachable',
        `${servers}: ${errorText(err)}`,
        'start nats-server (with -js) or set NATS_SERVER_URL to servers this machine can reach',
      ),
    ];
  }
  try {
    const checks = [
      ok('NATS reachable', `${servers} (server ${nc.info?.server_name ?? '?'} v${nc.info?.version ?? '?'})`),
    ];
    let jsm: JetStreamManager;
    try {
      jsm = await jetstreamManager(nc, { timeout: CONNECT_TIMEOUT_MS });
    } catch (err) {
      checks.push(
        fail(
          'JetStream',
          `not enabled on ${servers}: ${errorText(err)}`,
          'start nats-server with JetStream: `nats-server -js` (or a `jetstream {}` block in its config), on every server of the cluster',
        ),
      );
      return checks;
    }
    const account = await jsm.getAccountInfo();
    checks.push(ok('JetStream', `on: ${account.streams} streams, ${account.storage} bytes stored`));
    checks.push(...(await checkAssets(jsm, config)));
    checks.push(...(await checkClocks(jsm, config)));
    return checks;
  } finally {
    await nc.close();
  }
}

/** The streams and buckets every node relies on (shared/nats/resources.ts), and their replicas. */
async function checkAssets(jsm: JetStreamManager, config: Config): Promise<Check[]> {
  const names = [
    STREAMS.JOBS.name,
    STREAMS.RESULTS.name,
    // Every KV bucket of the table (the temp stores are object stores, named by a function).
    ...Object.values(BUCKETS).flatMap((b) => (typeof b === 'string' ? [`KV_${b}`] : [])),
    ...Array.from({ length: config.tempBuckets }, (_, k) => `OBJ_${BUCKETS.temp(k)}`),
  ];
  const want = config.natsReplicas;
  const missing: string[] = [];
  const wrong: string[] = [];
  const lagging: string[] = [];
  const rollups: string[] = [];
  for (const name of names) {
    try {
      const info = await jsm.streams.info(name);
      if (info.config.num_replicas !== want) wrong.push(`${name} has ${info.config.num_replicas}`);
      if (name.startsWith('KV_') && info.config.allow_rollup_hdrs) rollups.push(name);
      const peers = info.cluster?.replicas ?? [];
      const behind = peers.filter((p) => p.offline || !p.current).map((p) => p.name);
      if (behind.length) lagging.push(`${name} (${behind.join(', ')})`);
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)
        missing.push(name);
      else throw err;
    }
  }
  const checks: Check[] = [];
  if (wrong.length) {
    checks.push(
      fail(
        'stream replicas',
        `AUDIUS_NATS_REPLICAS=${want}, but ${wrong.join('; ')}`,
        `raise them with \`nats stream edit <name> --replicas ${want}\` (a node does not change replicas of what exists), or set AUDIUS_NATS_REPLICAS to match on every node`,
      ),
    );
  } else if (missing.length < names.length) {
    checks.push(
      ok('stream replicas', `${names.length - missing.length} streams and buckets with ${want} replica(s)`),
    );
  }
  if (missing.length) {
    checks.push(
      missing.length === names.length
        ? skip('streams and buckets', 'none created yet: the first node to start creates them')
        : warn(
            'streams and buckets',
            `missing: ${missing.join(', ')}`,
            'start a node: it creates what is missing',
          ),
    );
  }
  if (rollups.length) {
    // Buckets made before issue 15's permissions: a node user's own key could empty them.
    checks.push(
      warn(
        'KV rollups refused',
        `allowed on ${rollups.join(', ')}: a Nats-Rollup put on any key a node may write would empty the bucket`,
        'start one node once with the admin NATS user, or `nats stream edit -i <name>` as admin and set allow_rollup_hdrs to false (docs/nats-security.md, "Settings only an admin applies")',
      ),
    );
  }
  if (lagging.length) {
    checks.push(
      warn(
        'stream peers',
        `replicas offline or behind: ${lagging.join('; ')}`,
        'bring the NATS servers named back up; a stream with fewer than a majority of its replicas stops taking writes',
      ),
    );
  }
  return checks;
}

/**
 * This machine's clock against the server's: the server stamps every heartbeat it stores,
 * so the next one seen (a node beats every AUDIUS_HEARTBEAT_SECONDS) carries the server's
 * time. Each node's own clock: its record's `lastOk` against the stamp on that record.
 */
async function checkClocks(jsm: JetStreamManager, config: Config): Promise<Check[]> {
  const kvm = new Kvm(jsm.jetstream());
  let kv;
  try {
    kv = await kvm.open(BUCKETS.nodes);
    await kv.status();
  } catch {
    return [
      skip('clock skew', 'no node has started yet (no `nodes` bucket): nothing carries the server’s time'),
    ];
  }
  const limit = config.nodeSignatureWindowSeconds * 500;
  const fix = `sync the clocks (NTP: timedatectl set-ntp true, or chrony); node-to-node requests fail past ±${config.nodeSignatureWindowSeconds / 2} s`;
  const checks: Check[] = [];
  const watcher = await kv.watch({ key: '*', include: KvWatchInclude.UpdatesOnly });
  const wait = setTimeout(() => watcher.stop(), (config.heartbeatSeconds * 2 + 1) * 1000);
  let local: number | null = null;
  for await (const entry of watcher) {
    local = Date.now() - entry.created.getTime();
    break;
  }
  clearTimeout(wait);
  watcher.stop();
  if (local === null)
    checks.push(
      skip('clock skew (this machine)', 'no node is heartbeating: nothing carries the server’s time'),
    );
  else checks.push(skewCheck('clock skew (this machine)', local, limit, fix));
  const skews: string[] = [];
  let worst = 0;
  for await (const key of await kv.keys()) {
    const entry = await kv.get(key);
    if (!entry || entry.operation !== 'PUT') continue;
    const record = entry.json<NodeRecord>();
    if (record.leaving || Date.now() - entry.created.getTime() > config.healthTtlSeconds * 1000) continue;
    const skew = Date.parse(record.lastOk) - entry.created.getTime();
    if (Math.abs(skew) > Math.abs(worst)) worst = skew;
    skews.push(`${record.host} ${signed(skew)}`);
  }
  if (skews.length)
    checks.push(
      skewCheck('clock skew (nodes)', worst, limit, `${fix} (${skews.join(', ')})`, skews.join(', ')),
    );
  return checks;
}

function skewCheck(name: string, skewMs: number, limitMs: number, fix: string, detail = ''): Check {
  const text = `${signed(skewMs)} against the NATS server${detail ? `: ${detail}` : ''}`;
  if (Math.abs(skewMs) > limitMs) return fail(name, text, fix);
  if (Math.abs(skewMs) > SKEW_WARN_MS) return warn(name, text, fix);
  return ok(name, text);
}

const signed = (ms: number) => `${ms >= 0 ? '+' : ''}${(ms / 1000).toFixed(3)} s`;
