import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { publicKeyHex, type Identity } from '../../shared/identity/wallet';
import type { NodeRecord } from '../../shared/membership/types';
import { startTestNats, type TestNats } from './nats';

/** A fresh heartbeat record of `id` (unsigned: sign it with signRecord before a put). */
export function testNodeRecord(id: Identity, port = 9000): NodeRecord {
  return {
    nodeId: id.address,
    publicKey: publicKeyHex(id),
    host: `http://127.0.0.1:${port}`,
    version: 'test',
    capacity: 0,
    used: 0,
    weight: 1,
    lastOk: new Date().toISOString(),
    startedAt: new Date().toISOString(),
    shardCount: 0,
    ringFingerprint: '',
    jobsDone: 0,
  };
}

export interface NodesBucket {
  nats: TestNats;
  nc: NatsConnection;
  /** The `nodes` bucket membership watches, as a node's runtime creates it. */
  kv: KV;
  stop(): Promise<void>;
}

/** One nats-server with the `nodes` bucket: the whole world a Membership view needs. */
export async function startNodesBucket(): Promise<NodesBucket> {
  const nats = await startTestNats(1);
  const nc = await connect({ servers: nats.urls });
  const kv = await new Kvm(jetstream(nc)).create('nodes', { history: 5 });
  return {
    nats,
    nc,
    kv,
    stop: async () => {
      await nc.close();
      await nats.stop();
    },
  };
}
