import { loadConfig, type Config } from '../config';
import { createLogger, type Logger } from '../log';
import { connectNats } from '../nats/connection';
import { BUCKETS } from '../nats/names';
import { ensureNatsResources } from '../nats/resources';
import { loadIdentity } from '../identity/wallet';
import { openBlobStore } from '../blob/open';
import { Membership } from '../membership/membership';
import { selfRecord, type NodeCounters } from '../membership/self-record';
import { JobIndex } from '../jobs/job-index';
import { JobStore } from '../jobs/job-store';
import { backfillJobIndexes } from '../jobs/backfill-index';
import { removeOrphanWorkDirs, workDirOwner } from '../workdirs/work-dirs';
import { describeError } from '../errors';
import { DrainState } from '../drain/state';
import { Catalog } from '../repair/catalog';
import { PeerClient } from '../repair/peer-client';
import { Repairer } from '../repair/repairer';
import { emptyStats } from '../repair/stats';
import { megabytesPerSecond } from '../repair/throttle';
import { TrackedBlobStore } from '../repair/tracked-store';
import { ReadCache } from '../read-cache/read-cache';
import { StoreHealth } from '../store-health/monitor';
import { probeStore } from '../store-health/probe';
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
  const catalog = new Catalog(config.namespace, config.shardLength);
  const blob = new TrackedBlobStore(await openBlobStore(config.storageUrl), catalog);
  const identity = loadIdentity(config.delegateKey, config.dataDir);
  const storeHealth = new StoreHealth(
    () => probeStore(blob.inner, config),
    config.storeProbeSeconds * 1000,
    log.child({ part: 'store-health' }),
  );
  await storeHealth.start();
  const nats = await connectNats(
    config.natsUrl,
    `${config.nodeName} ${identity.address}`,
    config.natsReplicas,
    { requestTimeoutMs: config.natsTimeoutSeconds * 1000, retryBudgetMs: config.natsRetrySeconds * 1000 },
    config.natsAuth,
  ).catch((err: unknown) => {
    storeHealth.stop(); // no probe left writing to the store of a node that never started
    throw err;
  });
  try {
    await ensureNatsResources(nats, config, log);
    const startedAt = Date.now();
    const counters: NodeCounters = { jobsDone: 0 };
    const drain = DrainState.inDataDir(config.dataDir, config.drain);
    let membership: Membership | undefined = undefined;
    let repair: Repairer | undefined = undefined;
    const self = selfRecord(
      config,
      identity,
      startedAt,
      () => membership!.ring(),
      counters,
      () => repair?.status(),
      drain,
      storeHealth,
    );
    membership = new Membership({
      kv: await nats.kvm.open(BUCKETS.nodes),
      self: options.member === false ? undefined : self,
      identity,
      recordWindowMs: config.nodeSignatureWindowSeconds * 1000,
      heartbeatMs: config.heartbeatSeconds * 1000,
      healthTtlMs: config.healthTtlSeconds * 1000,
      shardLength: config.shardLength,
      replicationFactor: config.replicationFactor,
      assignment: config.placementAssignment,
      loadBound: config.placementLoadBound,
      log,
    });
    await membership.start();
    const indexes = {
      open: await nats.kvm.open(BUCKETS.jobsOpen),
      recent: await nats.kvm.open(BUCKETS.jobsRecent),
      byShard: await nats.kvm.open(BUCKETS.jobsByShard),
      shardLength: config.shardLength,
      recentMs: config.jobListingDays * 86_400_000,
    };
    const jobs = new JobStore(
      await nats.kvm.open(BUCKETS.jobs),
      new JobIndex(indexes.open, indexes.recent, {
        kv: indexes.byShard,
        shardLength: config.shardLength,
        jsm: nats.jsm,
      }),
      nats.retry,
    );
    // Transcodes of a process killed mid-job left their sources in the temp dir.
    const orphans = removeOrphanWorkDirs(workDirOwner(identity.address));
    if (orphans.length > 0)
      log.info({ removed: orphans.length }, 'removed the work directories of processes that are gone');
    // In the background: a start never waits for a walk of old jobs (once per cluster).
    if (options.member !== false)
      void backfillJobIndexes(jobs, indexes, log).catch((err) =>
        log.warn({ err: describeError(err) }, 'job index backfill failed; the next start tries again'),
      );
    repair = new Repairer({
      config,
      log: log.child({ part: 'repair' }),
      identity,
      nats,
      membership,
      jobs,
      blob,
      catalog,
      peers: new PeerClient(identity, config.peerTimeoutSeconds * 1000),
      pullLimiter: megabytesPerSecond(config.repairMaxMBps),
      stats: emptyStats(),
      drain,
      storeHealth,
    });
    if (options.member !== false) repair.start();
    const reads = new ReadCache(blob, {
      budgetBytes: config.readCacheMB * 1024 * 1024,
      maxFileBytes: config.readCacheMaxFileKB * 1024,
    });
    return {
      config,
      log,
      identity,
      nats,
      blob,
      catalog,
      reads,
      membership,
      jobs,
      repair,
      counters,
      startedAt,
      drain,
      storeHealth,
    };
  } catch (err) {
    storeHealth.stop();
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
