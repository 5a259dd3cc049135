import net from 'node:net';
import { curlUpload, waitForJob } from '../harness/http';
import { natsLeftovers } from '../harness/inspect';
import { makeTone } from '../harness/media';
import { startTestNats, type TestNats } from '../harness/nats';
import { startTestNodes, type TestNodes } from '../harness/nodes';
import { tempDir } from '../harness/temp';

/**
 * Issue 15: uploads were unbounded in time and count. A body that trickles is cut with 408
 * UPLOAD_TOO_SLOW, headers that trickle are cut by the server, a second upload from a client
 * at its limit is 429 TOO_MANY_UPLOADS — each leaving no job and no temp object.
 */
describe('upload bounds', () => {
  let nats: TestNats;
  let cluster: TestNodes;
  let url: string;
  const media = tempDir('bounds');

  beforeAll(async () => {
    nats = await startTestNats(1);
    cluster = await startTestNodes(1, nats.urls, {
      AUDIUS_IDLE_TIMEOUT_SECONDS: '2',
      AUDIUS_HEADERS_TIMEOUT_SECONDS: '2',
      AUDIUS_UPLOAD_MIN_BYTES_PER_SECOND: '1000',
      AUDIUS_UPLOADS_PER_CLIENT: '1',
    });
    url = cluster.nodes[0].url;
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
    await nats?.stop();
    media.remove();
  });

  /** A raw connection that sends `head`, then one byte every 400 ms; resolves with what came back. */
  const trickle = (head: string) =>
    new Promise<{ answer: string; ms: number }>((resolve) => {
      const { hostname, port } = new URL(url);
      const started = Date.now();
      const socket = net.connect(Number(port), hostname);
      let answer = '';
      socket.write(head);
      const timer = setInterval(() => socket.write('x'), 400);
      socket.on('data', (d) => (answer += d.toString()));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(timer);
        resolve({ answer, ms: Date.now() - started });
      });
      setTimeout(() => socket.destroy(), 20_000);
    });

  test('a trickling body is 408 UPLOAD_TOO_SLOW, and a second upload meanwhile is 429 TOO_MANY_UPLOADS', async () => {
    const before = await natsLeftovers(nats.urls);
    const tone = makeTone(media.dir, 'b.mp3', 1);
    const boundary = 'slow';
    const slow = trickle(
      `POST /storage/file HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\n` +
        `Content-Length: 100000\r\n\r\n--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="a.mp3"\r\n\r\n`,
    );
    await new Promise((r) => setTimeout(r, 300)); // its headers are in (the cut comes after 2–4 s)
    const second = await curlUpload(url, [tone], 'audio');
    expect([second.status, second.body?.code]).toEqual([429, 'TOO_MANY_UPLOADS']);
    const { answer, ms } = await slow;
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(answer).toContain('"code":"UPLOAD_TOO_SLOW"');
    expect(ms).toBeLessThan(10_000);
    expect(await natsLeftovers(nats.urls)).toEqual(before);
  });

  test('trickling headers are cut by the server within a few seconds', async () => {
    const { answer, ms } = await trickle('POST /storage/file HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    expect(answer === '' || /^HTTP\/1\.1 408/.test(answer)).toBe(true);
    expect(ms).toBeLessThan(8000);
  });

  test('a normal upload still goes through', async () => {
    const ok = await curlUpload(url, [makeTone(media.dir, 'fine.mp3', 1)], 'audio');
    expect(ok.status).toBe(200);
    expect((await waitForJob(url, ok.body[0].id)).status).toBe('done');
  });
});
