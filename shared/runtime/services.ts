import type { Config } from '../config';
import type { Nats } from '../nats/connection';
import type { Logger } from '../log';
import type { Identity } from '../identity/wallet';
import type { Membership } from '../membership/membership';
import type { NodeCounters } from '../membership/self-record';
import type { JobStore } from '../jobs/job-store';
import type { DrainState } from '../drain/state';
import type { Catalog } from '../repair/catalog';
import type { Repairer } from '../repair/repairer';
import type { TrackedBlobStore } from '../repair/tracked-store';
import type { ReadCache } from '../read-cache/read-cache';
import type { StoreHealth } from '../store-health/monitor';

/**
 * What a handler may use: the node's configuration and connections. The runtime provides
 * it at start; a Lambda builds it on first use (`setServicesFactory`); tests provide their own.
 */
export interface Services {
  config: Config;
  log: Logger;
  identity: Identity;
  /** ms since epoch when the node started. */
  startedAt: number;
  nats: Nats;
  /** The long-term store, tracked by the catalog (shared/repair/tracked-store.ts). */
  blob: TrackedBlobStore;
  /** This node's index of what it holds, by shard, with per-shard summaries. */
  catalog: Catalog;
  /** The read path's memory over `blob` (shared/read-cache/): reads go through it. */
  reads: ReadCache;
  membership: Membership;
  jobs: JobStore;
  /** Repair, rebalance and scrub (shared/repair/). */
  repair: Repairer;
  counters: NodeCounters;
  /** Whether this node drains, and whether it is safe to remove (shared/drain/). */
  drain: DrainState;
  /** The last probe of the blob store (shared/store-health/): health, placement and diskHasSpace read it. */
  storeHealth: StoreHealth;
}

let current: Promise<Services> | undefined;
let factory: (() => Promise<Services>) | undefined;

export function provideServices(s: Services | undefined): void {
  current = s ? Promise.resolve(s) : undefined;
}

export function setServicesFactory(f: () => Promise<Services>): void {
  factory = f;
}

export function services(): Promise<Services> {
  if (!current) {
    if (!factory) throw new Error('no services: the runtime has not started and no factory is set');
    const pending = factory();
    pending.catch(() => {
      if (current === pending) current = undefined;
    });
    current = pending;
  }
  return current;
}
