import { Counter, Gauge } from 'prom-client';
import { registry } from '../metrics';

/** Repair's Prometheus metrics (`GET /storage/metrics`, issue 10 "Visible"). */
export const repairMetrics = {
  underReplicated: new Gauge({
    name: 'storage_repair_under_replicated_files',
    help: 'Files of shards this node is first owner of that fewer than R current owners hold (last pass)',
    registers: [registry],
  }),
  lost: new Gauge({
    name: 'storage_repair_lost_files',
    help: 'Files the job records know that no reachable node and no temp store holds (last audit, as first owner)',
    registers: [registry],
  }),
  pulls: new Counter({
    name: 'storage_repair_pulls_total',
    help: 'Copies pulled from a peer or the temp store, by outcome (ok, not_found: the source lacks it, failed)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  }),
  pulledBytes: new Counter({
    name: 'storage_repair_pulled_bytes_total',
    help: 'Bytes written by repair pulls, verified',
    registers: [registry],
  }),
  deletes: new Counter({
    name: 'storage_repair_deletes_total',
    help: 'Copies of shards this node no longer owns, deleted once confirmed on all R owners',
    registers: [registry],
  }),
  quarantines: new Counter({
    name: 'storage_repair_quarantines_total',
    help: 'Copies found corrupt (scrub or a full read) and quarantined',
    registers: [registry],
  }),
  scrubbedBytes: new Counter({
    name: 'storage_scrub_bytes_total',
    help: 'Bytes re-hashed by the scrub',
    registers: [registry],
  }),
  lastPass: new Gauge({
    name: 'storage_repair_last_pass_timestamp_seconds',
    help: 'When the last repair pass ended',
    registers: [registry],
  }),
  lastPassSeconds: new Gauge({
    name: 'storage_repair_last_pass_duration_seconds',
    help: 'How long the last repair pass took',
    registers: [registry],
  }),
  lastPassRequests: new Gauge({
    name: 'storage_repair_last_pass_requests',
    help: 'Requests to peers the last repair pass made (summaries, listings, pulls)',
    registers: [registry],
  }),
  lastScrub: new Gauge({
    name: 'storage_scrub_last_pass_timestamp_seconds',
    help: 'When the last full scrub pass ended',
    registers: [registry],
  }),
};

/** What the last passes found; shown on /storage/health and in the node's heartbeat record. */
export interface RepairStats {
  /** ISO time the last pass ended. */
  lastPassAt?: string;
  lastPassSeconds?: number;
  lastPassRequests?: number;
  /** Why the last pass deleted nothing, when it had copies to trim. */
  trimBlocked?: string;
  underReplicated: number;
  lost: number;
  /** Pulls in flight now, by file name. */
  pulling: Set<string>;
  pulled: number;
  deleted: number;
  quarantined: number;
  lastScrubAt?: string;
  lastScrubSeconds?: number;
}

export function emptyStats(): RepairStats {
  return {
    underReplicated: 0,
    lost: 0,
    pulling: new Set(),
    pulled: 0,
    deleted: 0,
    quarantined: 0,
  };
}
