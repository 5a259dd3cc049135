import { AuthorizationError, connect, TimeoutError, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import type { NatsAuth } from '../config';
import { describeError, StorageError } from '../errors';
import { describeNatsAuth, natsConnectOptions, OPEN_NATS } from './auth';
import type { RetryPolicy } from './retry';

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
  /** How long data-plane calls retry transient JetStream faults (shared/nats/retry.ts). */
  retry: RetryPolicy;
}

export interface NatsTimings {
  /** One JetStream request (publish ack, KV read or write), ms. */
  requestTimeoutMs: number;
  /** Retrying transient faults, ms in all (RetryPolicy). */
  retryBudgetMs: number;
}

/**
 * Short requests, retried: during a leader election a request to a leaderless stream gets no
 * answer until its timeout, and a new leader is usually there within a few seconds.
 */
export const DEFAULT_NATS_TIMINGS: NatsTimings = { requestTimeoutMs: 5000, retryBudgetMs: 20_000 };

/**
 * The first connection's bound. A TLS server that refuses the client's certificate closes
 * the connection without a word, and the client then waits for this (20 s by default).
 */
const CONNECT_TIMEOUT_MS = 10_000;

export async function connectNats(
  servers: string[],
  name: string,
  replicas: number,
  timings: NatsTimings = DEFAULT_NATS_TIMINGS,
  auth: NatsAuth = OPEN_NATS,
): Promise<Nats> {
  const nc = await connectWith(auth, {
    servers,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    timeout: CONNECT_TIMEOUT_MS,
  });
  let state: NatsState = 'connected';
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnecting') state = 'disconnected';
      else if (s.type === 'reconnect') state = 'connected';
    }
  })();
  void nc.closed().then(() => (state = 'closed'));
  // Short requests, retried (retryNats) rather than long ones: a call sent to a stream
  // without a leader hangs until its timeout however soon the new leader is there.
  const jsOptions = { timeout: timings.requestTimeoutMs };
  const js = jetstream(nc, jsOptions);
  return {
    nc,
    js,
    jsm: await jetstreamManager(nc, jsOptions),
    kvm: new Kvm(js),
    objm: new Objm(js),
    replicas,
    state: () => state,
    retry: { budgetMs: timings.retryBudgetMs },
  };
}

/**
 * `connect` with the configured credentials and TLS; a refusal is one line that says which
 * credentials were refused (issue 15: a node with wrong credentials fails to start, clearly).
 */
export async function connectWith(
  auth: NatsAuth,
  options: Parameters<typeof connect>[0] & { servers: string[] },
): Promise<NatsConnection> {
  const secured = { ...options, ...natsConnectOptions(auth) };
  try {
    return await connect(secured);
  } catch (err) {
    const servers = options.servers.join(',');
    if (err instanceof AuthorizationError)
      throw new StorageError(
        'BAD_CONFIG',
        `NATS ${servers} refused ${describeNatsAuth(auth)}: ${err.message}`,
        {
          cause: err,
        },
      );
    // A TLS or network failure is one line too (the cause keeps the details).
    const hint =
      err instanceof TimeoutError
        ? ' (no answer: is the server up, and does it want TLS or a client certificate the node lacks?)'
        : '';
    throw new StorageError(
      'NATS_UNAVAILABLE',
      `NATS ${servers}: cannot connect with ${describeNatsAuth(auth)}: ${describeError(err)}${hint}`,
      { cause: err },
    );
  }
}
