import { DiscardPolicy, RetentionPolicy, StorageType, type StreamConfig } from '@nats-io/jetstream';

export interface KvBucketSettings {
  replicas: number;
  /** Values kept per key. */
  history: number;
  maxBytes: number;
  /** How long an entry lives, ms (none when absent). */
  ttlMs?: number;
}

/**
 * The stream of a KV bucket as @nats-io/kv 3.4 makes it (Bucket.init), except that rollup
 * headers are refused (issue 15): a `Nats-Rollup: all` put on any key a user may write (a
 * node's own `$KV.nodes.<id>`) would delete every other key of the bucket. Nothing here
 * purges a key (kv.purge is a rollup) — delete, create and update carry no rollup — and
 * Kvm.create always allows them, so the buckets are made from this instead.
 */
export function kvStreamConfig(
  bucket: string,
  s: KvBucketSettings,
): Partial<StreamConfig> & { name: string } {
  return {
    name: `KV_${bucket}`,
    subjects: [`$KV.${bucket}.>`],
    retention: RetentionPolicy.Limits,
    max_msgs_per_subject: s.history,
    max_bytes: s.maxBytes,
    max_msg_size: -1,
    storage: StorageType.File,
    // Both are in nats-server 2.9, the oldest we run (Debian's); Kvm.create sets them there too.
    discard: DiscardPolicy.New,
    allow_direct: true,
    num_replicas: s.replicas,
    ...(s.ttlMs ? { max_age: s.ttlMs * 1e6 } : {}),
    allow_rollup_hdrs: false,
  };
}
