import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { identityFromHex } from '../../../shared/identity/wallet';
import { MAX_PEER_JSON_BYTES } from '../../../shared/http/bounded-body';
import { PeerClient } from '../../../shared/repair/peer-client';
import { fetchJson } from '../../../shared/weather/fetch-json';
import { randomKey } from '../../harness/config';

/**
 * Issue 15: a peer's answer is bounded in size and time. A hostile peer that streams an
 * endless body, or trickles one byte at a time, is cut off instead of filling this node's
 * memory or holding its repair pass.
 */
describe('bounded peer answers', () => {
  let server: http.Server;
  let base: string;
  let sent = 0;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url!.includes('endless')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(1 << 20, 0x20);
        const pump = () => {
          while (sent < 4 * MAX_PEER_JSON_BYTES && res.write(chunk)) sent += chunk.length;
          if (sent < 4 * MAX_PEER_JSON_BYTES) res.once('drain', pump);
          else res.end();
        };
        res.write('{"nodeId":"');
        pump();
        res.on('close', () => res.removeAllListeners('drain'));
      } else if (req.url!.includes('declared')) {
        res.writeHead(200, { 'content-length': String(MAX_PEER_JSON_BYTES + 1) });
        res.write('{');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{');
        const timer = setInterval(() => res.write(' '), 100);
        res.on('close', () => clearInterval(timer));
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const client = (timeoutMs = 1500) => new PeerClient(identityFromHex(randomKey()), timeoutMs);

  test('an endless body is refused past the limit, and the peer stops being read', async () => {
    const peer = { nodeId: '0x' + '1'.repeat(40), host: `${base}/endless` };
    await expect(client(30_000).summaries(peer)).rejects.toThrow(/larger than \d+ bytes/);
    expect(sent).toBeLessThan(2 * MAX_PEER_JSON_BYTES);
  }, 40_000);

  test('a declared length past the limit is refused without reading', async () => {
    const peer = { nodeId: '0x' + '1'.repeat(40), host: `${base}/declared` };
    await expect(client().summaries(peer)).rejects.toThrow(/larger than/);
  });

  test('a body that trickles is cut at the peer timeout', async () => {
    const peer = { nodeId: '0x' + '1'.repeat(40), host: `${base}/slow` };
    const started = Date.now();
    await expect(client().summaries(peer)).rejects.toThrow(/did not answer/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  test("the weather map's peer reads have the same bounds", async () => {
    await expect(fetchJson(`${base}/declared`, 1500)).rejects.toThrow(/larger than/);
    const started = Date.now();
    await expect(fetchJson(`${base}/slow`, 1000)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2500);
  });
});
