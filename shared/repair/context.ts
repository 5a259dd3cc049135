import type { Config } from '../config';
import type { DrainState } from '../drain/state';
import type { Identity } from '../identity/wallet';
import type { JobStore } from '../jobs/job-store';
import type { Logger } from '../log';
import type { Membership } from '../membership/membership';
import type { Nats } from '../nats/connection';
import type { Catalog } from './catalog';
import type { PeerClient } from './peer-client';
import type { RepairStats } from './stats';
import type { StoreHealth } from '../store-health/monitor';
import type { RateLimiter } from './throttle';
import type { TrackedBlobStore } from './tracked-store';

/** What repair, rebalance and scrub work with: passed in, never looked up. */
export interface RepairContext {
  config: Config;
  log: Logger;
  identity: Identity;
  nats: Nats;
  membership: Membership;
  jobs: JobStore;
  blob: TrackedBlobStore;
  catalog: Catalog;
  peers: PeerClient;
  /** Shared by every pull: the bandwidth cap. */
  pullLimiter: RateLimiter;
  stats: RepairStats;
  /** This node's drain (shared/drain/): a draining node keeps its copies and checks whether it may go. */
  drain?: DrainState;
  /**
   * The store's last probe: while it fails the node is out of its own ring, and trimming
   * would shed every copy it holds for a fault that may pass, so nothing is trimmed.
   */
  storeHealth?: StoreHealth;
}
