import { loadConfig, type Config } from '../config';
import { createLogger, type Logger } from '../log';
import { connectNats } from '../nats/connection';
import { BUCKETS } from '../nats/names';
import { ensureNatsResources } from '../nats/resources';
import { loadIdentity } from '../identity/wallet';
import { openBlobStore } from '../blob/open';
import { Membership } from '../membership/membership';
import { selfRecord, type NodeCounters } from '../membership/self-record';
import { JobStore } from '../jobs/job-store';
import type { Services } from './services';

/**
 * Connects everything a node's handlers use. The blob store is checked first so a bad
 * storage URL fails in one line before anything else starts. `member: false` gives a
 * read-only view of the membership (a function deployed alone does not heartbeat).
 */
export async function buildServices(
  config: Config,
  log: Logger,
  options: { member?: boolean } = {},
): Promise<Services> {
  const blob = await openBlobStore(config.storageUrl);
  const identity = loadIdentity(config.delegateKey, config.dataDir);
  const nats = await connectNats(
    config.natsUrl,
    `${config.nodeName} ${identity.address}`,
    config.natsReplicas,
  );
  try {
    await ensureNatsResources(nats, config);
    const startedAt = Date.now();
    const counters: NodeCounters = { jobsDone: 0 };
    let membership: Membership | undefined = undefined;
    const self = selfRecord(config, identity, startedAt, () => membership!.ring(), counters);
    membership = new Membership({
      kv: await nats.kvm.open(BUCKETS.nodes),
      self: options.member === false ? undefined : self,
      heartbeatMs: config.heartbeatSeconds * 1000,
      healthTtlMs: config.healthTtlSeconds * 1000,
      shardLength: config.shardLength,
      replicationFactor: config.replicationFactor,
      log,
    });
    await membership.start();
    const jobs = new JobStore(await nats.kvm.open(BUCKETS.jobs));
    return { config, log, identity, nats, blob, membership, jobs, counters, startedAt };
  } catch (err) {
    await nats.nc.close();
    await blob.close();
    throw err;
  }
}

/** For a function deployed on its own (Lambda): everything from the environment. */
export function servicesFromEnv(): Promise<Services> {
  const config = loadConfig();
  return buildServices(config, createLogger(config.nodeName), { member: false });
}
