import type { KV } from '@nats-io/kv';
import { applyDelistRequest, signDelistRequest } from '../../shared/access/delist-request';
import { DelistSet, removeFromDelist, addToDelist } from '../../shared/access/delist';
import { signEnvelope } from '../../shared/access/signed-envelope';
import { signStreamUrl } from '../../shared/access/stream-signature';
import { loadConfig } from '../../shared/config';
import { isStorageError } from '../../shared/errors';
import { identityFromHex } from '../../shared/identity/wallet';
import { connectNats, type Nats } from '../../shared/nats/connection';
import { BUCKETS } from '../../shared/nats/names';
import type { Services } from '../../shared/runtime/services';
import { randomKey } from '../harness/config';
import { startTestNats, type TestNats } from '../harness/nats';

/**
 * Takedown requests against a real KV bucket (issue 11 review): only an explicit delist
 * request is one, and a captured request cannot be replayed to undo a newer one.
 */
const ID = 'abcdefghijklmnopqrstuvwxy';
const FILE = `${ID}_320.mp3`;
const operator = identityFromHex(randomKey());
const log = { warn: () => undefined, info: () => undefined } as never;

let nats: TestNats;
let client: Nats;
let kv: KV;
let services: Services;

beforeAll(async () => {
  nats = await startTestNats(1);
  client = await connectNats(nats.urls, 'delist test', 1);
  kv = await client.kvm.create(BUCKETS.delist, { history: 5 });
  const config = loadConfig({ AUDIUS_OPERATOR_WALLETS: operator.address });
  services = { config, nats: client } as unknown as Services;
}, 30_000);

afterAll(async () => {
  await client?.nc.close();
  await nats?.stop();
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (isStorageError(err)) return `${err.statusCode} ${err.code}`;
    throw err;
  }
  return 'ACCEPTED';
}

const request = (name: string, action: 'delist' | 'relist', at: number) =>
  signDelistRequest(operator.privateKey, name, action, 'dmca', at);

test('a stream URL, or data without the delist marker or an explicit action, is not a takedown', async () => {
  const now = Date.now();
  const bodies = [
    signStreamUrl(operator.privateKey, FILE, now), // a plain stream URL the operator's wallet signed
    signEnvelope(operator.privateKey, { cid: FILE, timestamp: now }),
    signEnvelope(operator.privateKey, { fileName: FILE, action: 'delist', timestamp: now }), // no type
    signEnvelope(operator.privateKey, { fileName: FILE, type: 'storage-delist', timestamp: now }), // no action
    signEnvelope(operator.privateKey, { fileName: FILE, type: 'stream', action: 'delist', timestamp: now }),
  ];
  for (const body of bodies)
    expect([body, await codeOf(applyDelistRequest(services, body, now))]).toEqual([
      body,
      '400 DELIST_BAD_REQUEST',
    ]);
  expect(await kv.get(FILE)).toBeNull();
});

test('a captured relist re-posted after a newer delist is refused, and the takedown stays', async () => {
  const set = new DelistSet(kv, log, () => true);
  await set.start();
  try {
    const t0 = Date.now() - 60_000;
    expect(await applyDelistRequest(services, request(ID, 'delist', t0))).toEqual({
      action: 'delist',
      name: ID,
      by: operator.address,
    });
    const relist = request(ID, 'relist', t0 + 1000);
    await applyDelistRequest(services, relist);
    await applyDelistRequest(services, request(ID, 'delist', t0 + 2000));
    expect(await codeOf(applyDelistRequest(services, relist))).toBe('409 DELIST_REPLAYED');
    // The same request twice, and an older one of either kind, are replays too.
    expect(await codeOf(applyDelistRequest(services, request(ID, 'delist', t0 + 2000)))).toBe(
      '409 DELIST_REPLAYED',
    );
    expect(await codeOf(applyDelistRequest(services, request(ID, 'relist', t0 + 1500)))).toBe(
      '409 DELIST_REPLAYED',
    );
    await waitFor(() => set.find(FILE)?.name === ID);
    expect((await kv.get(ID))?.json()).toMatchObject({ listed: true, requestAt: t0 + 2000 });
  } finally {
    set.stop();
  }
});

test('a relist leaves a tombstone that no reader counts as taken down', async () => {
  const name = 'bcdefghijklmnopqrstuvwxyz';
  const set = new DelistSet(kv, log, () => true);
  await set.start();
  try {
    await addToDelist(kv, { name, reason: 'dmca', by: 'cli', at: new Date().toISOString() });
    await waitFor(() => set.find(`${name}_320.mp3`) !== null);
    expect(set.list().map((r) => r.name)).toContain(name);
    await removeFromDelist(kv, name);
    await waitFor(() => set.find(`${name}_320.mp3`) === null);
    expect(set.list().map((r) => r.name)).not.toContain(name);
    expect((await kv.get(name))?.json()).toMatchObject({ listed: false }); // the tombstone
    // A node that starts now reads the bucket afresh: the tombstone is not a takedown there either.
    const fresh = new DelistSet(kv, log, () => true);
    await fresh.start();
    fresh.stop();
    expect([fresh.find(name), fresh.list().map((r) => r.name)]).toEqual([null, [ID]]);
  } finally {
    set.stop();
  }
});

test('a stalled watch heals: the periodic re-read applies what it missed and replaces the watch', async () => {
  const kv = stalledKv();
  const set = new DelistSet(kv as unknown as KV, log, () => true, 50);
  await set.start();
  try {
    kv.put(ID, { name: ID, reason: 'dmca', by: 'cli', at: new Date().toISOString() }); // the watch never says
    await waitFor(() => set.find(FILE) !== null);
    expect(kv.watches()).toBeGreaterThan(1); // the silent watch was replaced
    kv.put(ID, { name: ID, reason: '', by: 'cli', at: new Date().toISOString(), listed: false });
    await waitFor(() => set.find(FILE) === null);
    kv.put('bcdefghijklmnopqrstuvwxyz', { name: 'x', reason: '', by: 'cli', at: '' });
    await waitFor(() => set.list().length === 1);
    kv.remove('bcdefghijklmnopqrstuvwxyz'); // a purged key is gone too
    await waitFor(() => set.list().length === 0);
    expect(Date.now() - Date.parse(set.refreshedAt()!)).toBeLessThan(1000); // for /storage/health
  } finally {
    set.stop();
  }
});

/** A KV whose watches never deliver anything (a consumer on a dead server) until stopped. */
function stalledKv() {
  const store = new Map<string, { value: string; revision: number }>();
  let revision = 0;
  let watches = 0;
  const entry = (key: string) => {
    const found = store.get(key);
    if (!found) return null;
    return {
      key,
      revision: found.revision,
      operation: 'PUT',
      json: () => JSON.parse(found.value),
    };
  };
  return {
    put: (key: string, record: unknown) =>
      store.set(key, { value: JSON.stringify(record), revision: ++revision }),
    remove: (key: string) => store.delete(key),
    watches: () => watches,
    keys: async () =>
      (async function* () {
        yield* [...store.keys()];
      })(),
    get: async (key: string) => entry(key),
    watch: async () => {
      watches += 1;
      let stop = () => undefined as void;
      const stopped = new Promise<void>((resolve) => (stop = resolve));
      return {
        stop,
        async *[Symbol.asyncIterator]() {
          await stopped;
        },
      };
    },
  };
}

async function waitFor(check: () => boolean, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
