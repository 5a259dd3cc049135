import type { Config } from '../config';

const TB = 1e12;

/**
 * This node's placement weight (docs/placement.md §Weights): the configured number, or with
 * `capacity` its blob store's size in TB rounded to 0.01 and capped at
 * AUDIUS_PLACEMENT_WEIGHT_MAX (1 when the store does not say: cloud stores report 0). Taken
 * once at start: a weight that followed free space would move shards on every heartbeat.
 */
export function placementWeight(
  config: Pick<Config, 'placementWeight' | 'placementWeightMax'>,
  capacityBytes: number,
): number {
  if (config.placementWeight !== 'capacity') return config.placementWeight;
  if (!(capacityBytes > 0)) return 1;
  const tb = Math.round((capacityBytes / TB) * 100) / 100;
  return Math.min(config.placementWeightMax, Math.max(0.01, tb));
}
