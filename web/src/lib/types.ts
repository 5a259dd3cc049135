/** The parts of the node's JSON answers the pages read (README "HTTP API"). */
import type { Job, JobResult } from '../../../shared/jobs/types';
import type { WeatherChange, WeatherMember } from '../../../shared/weather/types';

export type { WeatherChange, WeatherMember };

/** Job records as the API answers them (shared/jobs/types.ts), with the probe fields the pages show. */
export type JobResultView = JobResult;

export interface JobView extends Omit<Job, 'probe'> {
  probe?: {
    duration?: number | null;
    displayWidth?: number;
    displayHeight?: number;
    width?: number;
    height?: number;
  };
}

/** `GET /storage/nodes`. */
export interface NodesAnswer {
  self: string;
  ringFingerprint: string;
  nodes: WeatherMember[];
  changes: WeatherChange[];
}

/** `GET /storage/placement/:key`. */
export interface PlacementAnswer {
  key: string;
  shard: string;
  replicationFactor: number;
  owners: { nodeId: string; host: string | null }[];
}

export const TEMPLATE_LABELS: Record<string, string> = {
  audio: 'audio',
  img_square: 'square image',
  img_backdrop: 'backdrop',
};
