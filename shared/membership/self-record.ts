import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config';
import type { DrainState } from '../drain/state';
import { placementWeight } from '../drain/weight';
import { publicKeyHex, type Identity } from '../identity/wallet';
import type { Ring } from '../placement/mod';
import type { StoreHealth } from '../store-health/monitor';
import type { NodeRecord } from './types';

export interface NodeCounters {
  jobsDone: number;
}

/** Builds this node's heartbeat record from its current state. */
export function selfRecord(
  config: Config,
  identity: Identity,
  startedAt: number,
  ring: () => Ring,
  counters: NodeCounters,
  repair: () => NodeRecord['repair'] = () => undefined,
  drain?: DrainState,
  store?: StoreHealth,
): () => NodeRecord {
  const publicKey = publicKeyHex(identity);
  // Taken once: a weight that followed the disk's numbers would move shards at every heartbeat.
  const weight = placementWeight(config, diskUsage(config.storageUrl).capacity);
  return () => {
    const r = ring();
    const disk = diskUsage(config.storageUrl);
    return {
      nodeId: identity.address,
      publicKey,
      host: config.host,
      version: config.version,
      capacity: disk.capacity,
      used: disk.used,
      weight,
      lastOk: new Date().toISOString(),
      startedAt: new Date(startedAt).toISOString(),
      shardCount: r.has(identity.address) ? r.shardsOf(identity.address).length : 0,
      ringFingerprint: r.fingerprint(),
      jobsDone: counters.jobsDone,
      repair: repair(),
      ...(drain?.draining() ? { draining: true, drain: drain.status() } : {}),
      ...(store && !store.state().ok ? { storeProblem: store.state().reason ?? 'store unhealthy' } : {}),
    };
  };
}

/** The local disk under a file:// store; cloud stores report 0 (unknown). */
function diskUsage(storageUrl: string): { capacity: number; used: number } {
  if (!storageUrl.startsWith('file://')) return { capacity: 0, used: 0 };
  try {
    const dir = fileURLToPath(storageUrl.split('?')[0]);
    const s = fs.statfsSync(fs.existsSync(dir) ? dir : '/');
    return { capacity: s.blocks * s.bsize, used: (s.blocks - s.bfree) * s.bsize };
  } catch {
    return { capacity: 0, used: 0 };
  }
}
