import { signNodeRequest } from '../../shared/access/node-request';
import { identityFromHex } from '../../shared/identity/wallet';
import { getJson, waitForJob } from '../harness/http';
import { makeTone, sha256Hex } from '../harness/media';
import { startTestNats, type TestNats } from '../harness/nats';
import { startTestNodes, type TestNodes } from '../harness/nodes';
import { randomKey } from '../harness/config';
import { tempDir } from '../harness/temp';
import { badStreamCases } from './bad-signatures';
import { loadViem, testWallet } from './signing';
import fs from 'node:fs';

/**
 * Issue 11 on a real cluster with the secure policy (a node's defaults: full tracks gated,
 * signed uploads): 3 nodes, R = 2 so every file has a node that must redirect. Signatures
 * come from viem wallets, as the Audius network's software would make them.
 */
describe('access control on 3 nodes (secure policy)', () => {
  let nats: TestNats;
  let cluster: TestNodes;
  const media = tempDir('access-media');
  const uploader = testWallet();
  const player = testWallet(); // the "discovery" signer of stream URLs
  const operator = testWallet();
  let job: any;
  let full: string; // <id>_320.mp3: gated
  let preview: string; // <id>_preview.mp3: public
  let urls: string[];

  beforeAll(async () => {
    await loadViem();
    nats = await startTestNats(1);
    cluster = await startTestNodes(3, nats.urls, {
      AUDIUS_REPLICATION_FACTOR: '2',
      // The secure policy is a node's default; the harness opens it, so set it back here.
      AUDIUS_GATED_VARIANTS: 'audio:320',
      AUDIUS_UPLOAD_MODE: 'signed',
      AUDIUS_STREAM_SIGNERS: player.address,
      AUDIUS_OPERATOR_WALLETS: operator.address,
    });
    urls = cluster.nodes.map((n) => n.url);
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop();
    await nats?.stop();
    media.remove();
  });

  const signed = async (name: string) =>
    `signature=${encodeURIComponent(await player.envelope({ cid: name, timestamp: Date.now() }))}`;
  const status = async (url: string, init: RequestInit = {}) =>
    (await fetch(url, { redirect: 'manual', ...init })).status;
  const refusal = async (url: string) => {
    const res = await fetch(url, { redirect: 'manual' });
    return { status: res.status, body: (await res.json()) as any };
  };
  const upload = async (query: string) => {
    const form = new FormData();
    const file = makeTone(media.dir, 'track.mp3', 3);
    form.append('files', new Blob([fs.readFileSync(file)]), 'track.mp3');
    form.append('template', 'audio');
    const res = await fetch(`${urls[0]}/storage/file${query}`, { method: 'POST', body: form });
    return { status: res.status, body: (await res.json()) as any };
  };

  test('health says what is gated; an unsigned upload is refused and stores nothing', async () => {
    const health = await getJson(`${urls[0]}/storage/health`);
    expect(health.body.access).toEqual({
      reads: 'gated: audio:320',
      uploads: 'signed',
      delistRefreshedAt: expect.any(String),
    });
    expect(await upload('')).toEqual({
      status: 401,
      body: {
        statusCode: 401,
        code: 'UPLOAD_SIGNATURE_REQUIRED',
        error: 'Unauthorized',
        message: expect.any(String),
      },
    });
    const stale = await uploader.envelope({ timestamp: Date.now() - 2 * 3600_000 });
    expect((await upload(`?signature=${encodeURIComponent(stale)}`)).body.code).toBe('SIGNATURE_EXPIRED');
    // Signed envelopes of other kinds do not make their signer an uploader: a public stream
    // URL (the player's) and an operator's delist request.
    const streamUrl = await player.envelope({
      cid: 'abcdefghijklmnopqrstuvwxy_320.mp3',
      timestamp: Date.now(),
    });
    const delist = await operator.envelope({
      fileName: 'abcdefghijklmnopqrstuvwxy',
      action: 'delist',
      type: 'storage-delist',
      timestamp: Date.now(),
    });
    for (const envelope of [streamUrl, delist])
      expect(await upload(`?signature=${encodeURIComponent(envelope)}`)).toEqual({
        status: 400,
        body: {
          statusCode: 400,
          code: 'UPLOAD_SIGNATURE_WRONG_KIND',
          error: 'Bad Request',
          message: expect.any(String),
        },
      });
    expect((await getJson(`${urls[0]}/storage/jobs`)).body).toEqual([]);
  });

  test('an upload signed as the SDK signs it is accepted and records the wallet', async () => {
    const envelope = await uploader.envelope({ timestamp: Date.now() });
    const res = await upload(`?signature=${encodeURIComponent(envelope)}`);
    expect(res.status).toBe(200);
    expect(res.body[0].user_wallet).toBe(uploader.address);
    job = await waitForJob(urls[1], res.body[0].id, 60_000);
    // GET /jobs/:id leaves out the temp store's bucket for public callers; the upload named it.
    expect(job.source_info.bucket).toBeUndefined();
    job.source_info.bucket = res.body[0].source_info.bucket;
    expect(job.status).toBe('done');
    expect(job.user_wallet).toBe(uploader.address);
    [full, preview] = job.results.map((r: any) => r.name);
    expect(full).toMatch(/_320\.mp3$/);
    expect(job.results[0].nodes).toHaveLength(2);
  }, 90_000);

  test('a gated file is refused without a signature on every read route of every node', async () => {
    const source = `${job.source_info.bucket}/${job.id}`;
    for (const url of urls) {
      for (const path of [
        `/storage/stream/${full}`,
        `/storage/stream/${full}?localOnly=true`,
        `/storage/long-term/file/${full}`,
        `/storage/long-term/file/${full}?localOnly=true`,
        `/storage/tmp-obj/${source}`,
      ]) {
        const { status: code, body } = await refusal(url + path);
        expect([path, code, body.code]).toEqual([path, 401, 'SIGNATURE_REQUIRED']);
      }
      // The refusal above is the policy, not a missing object: signed, the same read is served.
      const res = await fetch(`${url}/storage/tmp-obj/${source}?${await signed(job.id)}`);
      expect(res.status).toBe(200);
      expect(sha256Hex(Buffer.from(await res.arrayBuffer()))).toBe(job.source_sha256);
    }
  });

  test('with a signed stream URL every node serves it; the one without it redirects keeping the signature', async () => {
    const query = await signed(full);
    for (const url of urls) {
      const res = await fetch(`${url}/storage/stream/${full}?${query}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
      expect(sha256Hex(Buffer.from(await res.arrayBuffer()))).toBe(job.results[0].sha256);
      const lt = await fetch(`${url}/storage/long-term/file/${full}?${query}`, {
        headers: { range: 'bytes=0-9' },
      });
      expect([lt.status, (await lt.arrayBuffer()).byteLength]).toEqual([206, 10]);
    }
    const nodeIds = await Promise.all(
      urls.map(async (u) => (await getJson(`${u}/storage/health`)).body.nodeId),
    );
    const outsider = urls[nodeIds.findIndex((id) => !job.results[0].nodes.includes(id))];
    const hop = await fetch(`${outsider}/storage/stream/${full}?${query}`, { redirect: 'manual' });
    expect(hop.status).toBe(302);
    const location = new URL(hop.headers.get('location')!);
    expect(location.searchParams.get('localOnly')).toBe('true');
    expect(`signature=${encodeURIComponent(location.searchParams.get('signature')!)}`).toBe(query);
  });

  test('public variants stay public; a member node signature opens the long-term route, a stranger key does not', async () => {
    for (const url of urls) {
      expect(await status(`${url}/storage/stream/${preview}`, { redirect: 'follow' })).toBe(200);
      expect(await status(`${url}/storage/long-term/file/${preview}`, { redirect: 'follow' })).toBe(200);
    }
    const holder = cluster.nodes.find((n) =>
      job.results[0].nodes.includes(identityFromHex(n.env.AUDIUS_DELEGATE_PRIVATE_KEY).address),
    )!;
    const path = `/storage/long-term/file/${full}?localOnly=true`;
    const to = identityFromHex(holder.env.AUDIUS_DELEGATE_PRIVATE_KEY).address;
    const member = identityFromHex(cluster.nodes[2].env.AUDIUS_DELEGATE_PRIVATE_KEY);
    expect(
      await status(holder.url + path, { headers: signNodeRequest(member, { method: 'GET', path, to }) }),
    ).toBe(200);
    const stranger = identityFromHex(randomKey());
    const res = await fetch(holder.url + path, {
      headers: signNodeRequest(stranger, { method: 'GET', path, to }),
    });
    expect([res.status, ((await res.json()) as any).code]).toEqual([403, 'NOT_A_MEMBER']);
    // A signature made by the member with its own key for stream URLs works too (members may sign).
    const own = `signature=${encodeURIComponent(await testWallet(cluster.nodes[2].env.AUDIUS_DELEGATE_PRIVATE_KEY).envelope({ fileName: full, timestamp: Date.now() }))}`;
    expect(await status(`${holder.url}/storage/stream/${full}?${own}`)).toBe(200);
  });

  test('every bad signature of the table is refused over HTTP with its status and code', async () => {
    const cases = badStreamCases({
      allowed: player,
      stranger: uploader,
      fileName: full,
      otherFileName: preview,
      now: Date.now(),
    });
    for (const c of cases) {
      const raw = await c.signature();
      const query = (Array.isArray(raw) ? raw : [raw])
        .map((r) => `signature=${encodeURIComponent(r)}`)
        .join('&');
      const { status: code, body } = await refusal(`${urls[0]}/storage/stream/${full}?${query}`);
      expect([c.name, code, body]).toEqual([
        c.name,
        body.statusCode,
        { statusCode: code, code: c.code, error: expect.any(String), message: expect.any(String) },
      ]);
      expect([c.name, code >= 400 && code < 500]).toEqual([c.name, true]);
    }
  });

  test('bad input to the upload and delist routes is a stable 4xx, never a 500', async () => {
    const infinite = JSON.stringify({
      data: `{"timestamp":${Date.now()},"x":1e400}`,
      signature: `0x${'11'.repeat(65)}`,
    });
    const up = await upload(`?signature=${encodeURIComponent(infinite)}`);
    expect([up.status, up.body.code]).toEqual([400, 'SIGNATURE_DATA_NOT_JSON']);
    const send = async (body: string | FormData, type?: string) => {
      const res = await fetch(`${urls[0]}/storage/delist`, {
        method: 'POST',
        body,
        headers: type ? { 'content-type': type } : {},
      });
      return [res.status, ((await res.json()) as any).code];
    };
    expect(await send(infinite, 'application/json')).toEqual([400, 'SIGNATURE_DATA_NOT_JSON']);
    expect(await send('[1]', 'application/json')).toEqual([400, 'DELIST_BAD_REQUEST']);
    for (const type of ['application/octet-stream', 'application/x-unknown'])
      expect([type, ...(await send(infinite, type))]).toEqual([type, 415, 'UNSUPPORTED_MEDIA_TYPE']);
    const form = new FormData();
    form.append('data', infinite);
    expect(await send(form)).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    // The envelope as text is read as the envelope (here: a stranger's, so refused for its signer).
    const stranger = await uploader.envelope({
      fileName: 'abcdefghijklmnopqrstuvwxy',
      action: 'delist',
      type: 'storage-delist',
      timestamp: Date.now(),
    });
    expect(await send(stranger, 'text/plain')).toEqual([403, 'SIGNATURE_SIGNER_NOT_ALLOWED']);
    expect((await getJson(`${urls[0]}/storage/jobs`)).body).toHaveLength(1); // only the SDK-signed upload
  });

  test('a delisted job is 403 on every read route of every node within 2 s, and relisting restores it', async () => {
    const strangerRequest = JSON.parse(
      await uploader.envelope({
        fileName: job.id,
        action: 'delist',
        type: 'storage-delist',
        timestamp: Date.now(),
      }),
    );
    const refused = await fetch(`${urls[1]}/storage/delist`, {
      method: 'POST',
      body: JSON.stringify(strangerRequest),
      headers: { 'content-type': 'application/json' },
    });
    expect([refused.status, ((await refused.json()) as any).code]).toEqual([
      403,
      'SIGNATURE_SIGNER_NOT_ALLOWED',
    ]);

    const request = JSON.parse(
      await operator.envelope({
        fileName: job.id,
        action: 'delist',
        type: 'storage-delist',
        reason: 'DMCA 123',
        timestamp: Date.now(),
      }),
    );
    const started = Date.now();
    const res = await fetch(`${urls[1]}/storage/delist`, {
      method: 'POST',
      body: JSON.stringify(request),
      headers: { 'content-type': 'application/json' },
    });
    expect([res.status, await res.json()]).toEqual([
      200,
      { action: 'delist', name: job.id, by: operator.address },
    ]);
    const query = await signed(full);
    const paths = [
      `/storage/stream/${full}?${query}`,
      `/storage/long-term/file/${full}?${query}`,
      `/storage/stream/${preview}`,
      `/storage/long-term/file/${preview}`,
      `/storage/tmp-obj/${job.source_info.bucket}/${job.id}?${await signed(job.id)}`,
    ];
    for (const url of urls) {
      for (const path of paths) {
        for (;;) {
          const { status: code, body } = await refusal(url + path).catch(() => ({
            status: 0,
            body: {} as any,
          }));
          if (code === 403) {
            expect(body.code).toBe('DELISTED');
            break;
          }
          expect(Date.now() - started).toBeLessThan(2000);
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    }
    const list = await getJson(`${urls[2]}/storage/delist`);
    expect(list.body).toEqual([
      { name: job.id, reason: 'DMCA 123', by: operator.address, at: expect.any(String) },
    ]);

    const relist = JSON.parse(
      await operator.envelope({
        fileName: job.id,
        action: 'relist',
        type: 'storage-delist',
        timestamp: Date.now(),
      }),
    );
    const post = async (body: unknown) => {
      const r = await fetch(`${urls[0]}/storage/delist`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
      return [r.status, ((await r.json()) as any).code];
    };
    expect(await post(relist)).toEqual([200, undefined]);
    const back = Date.now();
    for (const url of urls) {
      while ((await status(`${url}/storage/stream/${preview}`, { redirect: 'follow' })) !== 200)
        expect(Date.now() - back).toBeLessThan(2000);
    }
    expect((await getJson(`${urls[2]}/storage/delist`)).body).toEqual([]); // the tombstone is not listed

    // A stream URL the operator's wallet signed is not a takedown (no "type", no "action").
    const streamUrl = JSON.parse(await operator.envelope({ fileName: job.id, timestamp: Date.now() }));
    expect(await post(streamUrl)).toEqual([400, 'DELIST_BAD_REQUEST']);
    // A captured relist re-posted after a newer delist is refused; the takedown stays.
    const again = JSON.parse(
      await operator.envelope({
        fileName: job.id,
        action: 'delist',
        type: 'storage-delist',
        timestamp: Date.now() + 1,
      }),
    );
    expect(await post(again)).toEqual([200, undefined]);
    expect(await post(relist)).toEqual([409, 'DELIST_REPLAYED']);
    for (const url of urls) {
      while ((await status(`${url}/storage/stream/${preview}`, { redirect: 'follow' })) !== 403)
        expect(Date.now() - back).toBeLessThan(4000);
    }
    // Relisted for the tests after this one.
    const last = JSON.parse(
      await operator.envelope({
        fileName: job.id,
        action: 'relist',
        type: 'storage-delist',
        timestamp: Date.now() + 2,
      }),
    );
    expect(await post(last)).toEqual([200, undefined]);
  });

  test('the dashboard and the weather map still answer', async () => {
    expect(await status(`${urls[0]}/storage`)).toBe(200);
    const weather = await fetch(`${urls[0]}/storage/weather/`);
    expect(weather.status).toBe(200);
    expect(await weather.text()).toContain('id="delisted"'); // the "Taken down" panel, fed by GET /storage/delist
    expect((await getJson(`${urls[0]}/storage/weather/api/cluster`)).status).toBe(200);
  });
});
