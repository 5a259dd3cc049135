import { BUCKETS, STREAMS } from './names';

/**
 * The least a storage node's NATS user needs (docs/nats-security.md), in nats-server's own
 * `permissions` shape: JetStream's API (a node creates and updates the streams, buckets and
 * durable consumers it relies on at start, reads KV entries and pulls work), the subjects of
 * its streams, buckets and object stores, acknowledgements, and its own inbox. `nodeId` pins
 * its membership record: with it the user may write its own key of KV `nodes` and no other.
 * The test (test/nats/nats-auth.test.ts) runs an upload to done under exactly this.
 */
export function nodePermissions(nodeId?: string) {
  // Every KV bucket of the table but `nodes`: job records and their indexes, content ids,
  // takedowns (signed operator requests reach any node), presigned upload slots, and any
  // bucket added later, so the list cannot fall behind the code.
  const buckets = Object.values(BUCKETS).filter(
    (b): b is Exclude<typeof b, (k: number) => string> => typeof b === 'string' && b !== BUCKETS.nodes,
  );
  return {
    publish: {
      allow: [
        '$JS.API.>', // stream, consumer and KV/object store API requests (answers come to _INBOX)
        '$JS.ACK.>', // acknowledging work (JOBS, RESULTS) and pulled messages
        '$JS.FC.>', // flow-control replies of ordered consumers: KV watches, object reads
        ...STREAMS.JOBS.subjects, // publishing a job
        ...STREAMS.RESULTS.subjects, // publishing a finished job to every storer
        ...buckets.map((b) => `$KV.${b}.>`),
        `$KV.${BUCKETS.nodes}.${nodeId ?? '>'}`, // its own heartbeat record only, when pinned
        '$O.>', // the temp object stores temp_<k> (a token wildcard cannot match `temp_*`)
      ],
      // Nothing a node does deletes a stream; an operator does that with an admin user.
      deny: ['$JS.API.STREAM.DELETE.>'],
    },
    subscribe: { allow: ['_INBOX.>'] },
  };
}
