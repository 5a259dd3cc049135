import type { BlobStore } from '../blob/types';
import type { Config } from '../config';
import type { Identity } from '../identity/wallet';
import type { Logger } from '../log';
import type { Membership } from '../membership/membership';
import type { NodeCounters } from '../membership/self-record';
import type { Nats } from '../nats/connection';
import type { JobStore } from './job-store';

/**
 * What the job pipeline (intake, transcode step, storer, sweeper) works with. The runtime's
 * Services is a superset; declaring it here keeps jobs below the runtime (imports point down).
 */
export interface JobDeps {
  config: Config;
  log: Logger;
  identity: Identity;
  nats: Nats;
  blob: BlobStore;
  membership: Membership;
  jobs: JobStore;
  counters: NodeCounters;
}
