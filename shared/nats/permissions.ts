import { BUCKETS, STREAMS } from './names';

/** Every KV bucket of the table (`temp_<k>` are object stores), so one added later is covered. */
const KV_BUCKETS = Object.values(BUCKETS).filter(
  (b): b is Exclude<typeof b, (k: number) => string> => typeof b === 'string',
);

/**
 * The least a storage node's NATS user needs (docs/nats-security.md), in nats-server's own
 * `permissions` shape: JetStream's API (a node creates the streams, buckets and durable
 * consumers it relies on at start, reads KV entries and pulls work), the subjects of its
 * streams, buckets and object stores, acknowledgements, and its own inbox. `nodeId` pins its
 * membership record: with it the user may write its own key of KV `nodes` and no other.
 * The test (test/nats/nats-auth.test.ts) runs an upload to done under exactly this, and
 * test/nats/nats-permissions.test.ts tries each denied wipe of the control plane.
 */
export function nodePermissions(nodeId?: string) {
  // Job records and their indexes, content ids, takedowns (signed operator requests reach any
  // node), presigned upload slots: every bucket but `nodes`, whose key is pinned below.
  const buckets = KV_BUCKETS.filter((b) => b !== BUCKETS.nodes);
  // The control plane (issue 15): API subjects end in the stream's name, one token, so each
  // stream is listed by name (`KV_>` would match nothing). Rollups are refused by the buckets
  // themselves (kv-stream.ts).
  const kv = KV_BUCKETS.map((b) => `KV_${b}`);
  const { JOBS, RESULTS } = STREAMS;
  return {
    publish: {
      allow: [
        '$JS.API.>', // stream, consumer and KV/object store API requests (answers come to _INBOX)
        '$JS.ACK.>', // acknowledging work (JOBS, RESULTS) and pulled messages
        '$JS.FC.>', // flow-control replies of ordered consumers: KV watches, object reads
        ...JOBS.subjects, // publishing a job
        ...RESULTS.subjects, // publishing a finished job to every storer
        ...buckets.map((b) => `$KV.${b}.>`),
        `$KV.${BUCKETS.nodes}.${nodeId ?? '>'}`, // its own heartbeat record only, when pinned
        '$O.>', // the temp object stores temp_<k> (a token wildcard cannot match `temp_*`)
      ],
      deny: [
        // Nothing a node does deletes a stream; an operator does that with an admin user.
        '$JS.API.STREAM.DELETE.>',
        // Emptying a bucket (membership, every job record) or the work queue or replay log at once.
        ...[...kv, JOBS.name, RESULTS.name].map((s) => `$JS.API.STREAM.PURGE.${s}`),
        // Deleting another node's record or any job record. JOBS stays open: the consumer shim
        // drops a terminated work message (work-queue streams before 2.11 keep it).
        ...[...kv, RESULTS.name].map((s) => `$JS.API.STREAM.MSG.DELETE.${s}`),
        // A max_age of 1 ns or max_msgs of 1 empties a stream as surely as a purge; settings
        // changed since a stream was made are applied by an admin (resources.ts warns).
        ...[...kv, JOBS.name, RESULTS.name].map((s) => `$JS.API.STREAM.UPDATE.${s}`),
      ],
    },
    subscribe: { allow: ['_INBOX.>'] },
  };
}
