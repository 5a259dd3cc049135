/** The parts of the node's JSON answers the pages read (README "HTTP API"). */
import type { WeatherChange, WeatherMember } from '../../../shared/weather/types';

export type { WeatherChange, WeatherMember };

export interface JobResultView {
  name: string;
  variant: string;
  size: number;
  content_type: string;
  sha256: string;
  bucket: string;
  shard: string;
  duration?: number;
  width?: number;
  height?: number;
  nodes: string[];
}

export interface JobView {
  id: string;
  template: string;
  status: 'pending' | 'in_progress' | 'done' | 'error';
  stage?: string;
  created_at: string;
  started_at?: string;
  finished_at?: string;
  transcode_progress: number;
  error?: string;
  probe?: {
    duration?: number | null;
    displayWidth?: number;
    displayHeight?: number;
    width?: number;
    height?: number;
  };
  source_info: { name: string; description: string; bucket: string; size: number };
  upload_node?: string;
  transcode_worker_id?: string;
  attempts?: number;
  results: JobResultView[];
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
