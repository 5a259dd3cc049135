import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';

export type NatsState = 'connected' | 'disconnected' | 'closed';

/** One node's handles on NATS; everything that talks to NATS takes this. */
export interface Nats {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  kvm: Kvm;
  objm: Objm;
  /** Replicas for every stream, bucket and store this node creates. */
  replicas: number;
  /** Live connection state, kept current from the client's status events. */
  state(): NatsState;
}

export async function connectNats(servers: string[], name: string, replicas: number): Promise<Nats> {
  const nc = await connect({ servers, name, maxReconnectAttempts: -1, reconnectTimeWait: 500 });
  let state: NatsState = 'connected';
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnecting') state = 'disconnected';
      else if (s.type === 'reconnect') state = 'connected';
    }
  })();
  void nc.closed().then(() => (state = 'closed'));
  // A fresh R3 cluster can take seconds to place a new stream: give API calls room.
  const jsOptions = { timeout: 20_000 };
  const js = jetstream(nc, jsOptions);
  return {
    nc,
    js,
    jsm: await jetstreamManager(nc, jsOptions),
    kvm: new Kvm(js),
    objm: new Objm(js),
    replicas,
    state: () => state,
  };
}
