import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { identityFromHex, publicKeyHex, type Identity } from '../../../shared/identity/wallet';
import { MAX_RECORD_BYTES, signRecord } from '../../../shared/membership/signed-record';
import type { NodeRecord } from '../../../shared/membership/types';
import { connectNats } from '../../../shared/nats/connection';
import { BUCKETS } from '../../../shared/nats/names';
import { randomKey } from '../../harness/config';
import { send } from './send';
import { served, type AbuseCase, type AbuseContext, type Answer } from './types';

/** The node's own record, unsigned, as a template for forgeries that look real. */
async function withNodes<T>(
  ctx: AbuseContext,
  use: (put: (key: string, value: string) => Promise<void>, real: NodeRecord) => Promise<T>,
): Promise<T> {
  const n = await connectNats(ctx.natsUrls, 'abuse-peer', 1);
  try {
    const kv = await n.kvm.open(BUCKETS.nodes);
    const { body } = await send(ctx, { path: '/storage/health' });
    const entry = await kv.get((body as { nodeId: string }).nodeId);
    if (!entry) throw new Error(`no record of ${ctx.url} in KV nodes`);
    const real = JSON.parse(entry.string()) as NodeRecord;
    delete (real as Partial<NodeRecord> & { signature?: string }).signature;
    return await use(async (key, value) => void (await kv.put(key, value)), real);
  } finally {
    await n.nc.close();
  }
}

/** A record of a fresh node `who` at `host`, fresh now. */
const recordOf = (
  real: NodeRecord,
  who: Identity,
  host: string,
  extra: Partial<NodeRecord> = {},
): NodeRecord => ({
  ...real,
  nodeId: who.address,
  publicKey: publicKeyHex(who),
  host,
  lastOk: new Date().toISOString(),
  ...extra,
});

/** Plants one forged record; the runner then checks the node counted and ignored it. */
const forge =
  (make: (real: NodeRecord) => { key: string; value: string }) =>
  (ctx: AbuseContext): Promise<Answer> =>
    withNodes(ctx, async (put, real) => {
      const { key, value } = make(real);
      await put(key, value);
      return { status: 200, code: null };
    });

const stranger = () => identityFromHex(randomKey());

/** A record of a fresh node, signed by its own key: only what `extra` or `host` says is wrong. */
const forgeSigned = (host: string, extra: Partial<NodeRecord> = {}) =>
  forge((real) => {
    const who = stranger();
    return { key: who.address, value: signRecord(who, recordOf(real, who, host, extra)) };
  });

/** How a hostile peer answers `/storage/nodes` and `/storage/ring`. */
type PeerBehaviour = 'endless' | 'trickle' | 'declared-huge' | 'hangs';

function hostilePeer(behaviour: PeerBehaviour): http.Server {
  return http.createServer((_req, res) => {
    res.on('error', () => undefined);
    if (behaviour === 'hangs') return; // headers never come
    if (behaviour === 'declared-huge') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(2 ** 40) });
      return void res.write('{');
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"nodes":[');
    const chunk = behaviour === 'endless' ? Buffer.alloc(1 << 20, 0x20) : Buffer.from(' ');
    const timer = setInterval(() => res.write(chunk), behaviour === 'endless' ? 1 : 200);
    res.on('close', () => clearInterval(timer));
  });
}

/**
 * A signed, healthy member whose host is a hostile HTTP server; the node's weather map asks
 * every member for its view. The answer must come, bounded in time, with the peer marked
 * unreachable; afterwards the peer signs itself out (`leaving`).
 */
const hostileMember =
  (behaviour: PeerBehaviour) =>
  async (ctx: AbuseContext): Promise<Answer> => {
    const server = hostilePeer(behaviour);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const who = stranger();
    try {
      return await withNodes(ctx, async (put, real) => {
        await put(who.address, signRecord(who, recordOf(real, who, host)));
        await waitUntil(async () => {
          const { body } = await send(ctx, { path: '/storage/nodes' });
          return (body as { nodes: { nodeId: string; healthy: boolean }[] }).nodes.some(
            (m) => m.nodeId === who.address && m.healthy,
          );
        });
        const started = Date.now();
        const answer = await send(ctx, { path: '/storage/weather/api/cluster' });
        const took = Date.now() - started;
        await put(who.address, signRecord(who, recordOf(real, who, host, { leaving: true })));
        // The peer timeouts are 1.5 s (nodes) and 3 s (ring): a node that waited on the peer's body would take far longer.
        if (took > 8000) return { status: answer.status, code: `TOOK_${took}_MS` };
        return answer;
      });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  };

async function waitUntil(check: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('the hostile peer never became a member');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Hostile peers: forged membership records, and members whose answers are oversized or slow. */
export const peerCases: AbuseCase[] = [
  {
    name: 'an unsigned record with a huge weight',
    act: forge((real) => {
      const who = stranger();
      return {
        key: who.address,
        value: JSON.stringify(recordOf(real, who, 'http://127.0.0.1:1', { weight: 1e6 })),
      };
    }),
    expected: { ignored: 'unsigned' },
  },
  {
    name: "a record signed by another key under the node's own id (host hijack)",
    act: forge((real) => ({
      key: real.nodeId,
      value: signRecord(stranger(), {
        ...real,
        host: 'http://169.254.169.254',
        lastOk: new Date().toISOString(),
      }),
    })),
    expected: { ignored: 'wrong_key' },
  },
  {
    name: 'a signed record whose host carries credentials',
    act: forgeSigned('http://admin:secret@10.0.0.1:9924'),
    expected: { ignored: 'bad_host' },
  },
  {
    name: 'a signed record whose host is not http(s)',
    act: forgeSigned('file:///etc/passwd'),
    expected: { ignored: 'bad_host' },
  },
  {
    name: 'a signed record tampered with after signing (weight raised)',
    act: forge((real) => {
      const who = stranger();
      const signed = JSON.parse(signRecord(who, recordOf(real, who, 'http://127.0.0.1:1'))) as Record<
        string,
        unknown
      >;
      return { key: who.address, value: JSON.stringify({ ...signed, weight: 1e6 }) };
    }),
    expected: { ignored: 'wrong_key' },
  },
  {
    name: 'a record larger than any real one',
    act: forgeSigned('http://127.0.0.1:1', { version: 'x'.repeat(MAX_RECORD_BYTES) }),
    expected: { ignored: 'too_large' },
  },
  {
    name: 'a record that is not JSON',
    act: forge(() => ({ key: stranger().address, value: '{"nodeId": "0x' })),
    expected: { ignored: 'malformed' },
  },
  {
    name: 'a signed record from an hour ago',
    act: forgeSigned('http://127.0.0.1:1', { lastOk: new Date(Date.now() - 3_600_000).toISOString() }),
    expected: { ignored: 'stale' },
  },
  { name: 'a member whose answer never ends', act: hostileMember('endless'), expected: served(200) },
  {
    name: 'a member whose answer trickles a byte at a time',
    act: hostileMember('trickle'),
    expected: served(200),
  },
  {
    name: 'a member that declares a 1 TB answer',
    act: hostileMember('declared-huge'),
    expected: served(200),
  },
  { name: 'a member that never answers', act: hostileMember('hangs'), expected: served(200) },
];
