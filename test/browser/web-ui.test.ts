import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { compareViews } from '../../shared/weather/agreement';
import type { ClusterReport, ShardReport } from '../../shared/weather/types';
import { curlUpload, getJson } from '../harness/http';
import { makeTone } from '../harness/media';
import { startTestNats, type TestNats } from '../harness/nats';
import { startTestNodes, type TestNodes } from '../harness/nodes';
import { tempDir } from '../harness/temp';
import {
  DESKTOP,
  PHONE,
  launchChromium,
  recordErrors,
  recordRequests,
  screenshot,
  waitForText,
  waitUntil,
} from './browser';

// The functions passed to page.evaluate run in the page; this file compiles against
// Node's types only, so the few browser globals they use are declared loosely here.
declare const document: any;
declare const window: any;
declare const MutationObserver: any;

/**
 * The two pages in headless Chromium against a real 3-node cluster (R = 3): uploads through
 * the dashboard, then the weather map, its shard page, and a node going away. Tests run in
 * order and share the cluster; the node is stopped last.
 */
describe('web UI on a 3-node cluster', () => {
  let nats: TestNats;
  let cluster: TestNodes;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let requests: string[];
  let errors: string[];
  const media = tempDir('web-media');
  const files = { tone: '', cover: '', backdrop: '', notes: '', small: '', broken: '' };
  const jobIds: Record<string, string> = {};
  /** Node ids by URL, read while every node is up. */
  const ids = new Map<string, string>();

  beforeAll(async () => {
    nats = await startTestNats(1);
    [cluster, browser] = await Promise.all([startTestNodes(3, nats.urls), launchChromium()]);
    base = cluster.nodes[0].url;
    for (const n of cluster.nodes) ids.set(n.url, (await getJson(`${n.url}/storage/health`)).body.nodeId);
    // 30 s of stereo PCM (5.3 MB): enough bytes for the progress bar to be seen moving.
    files.tone = makeTone(media.dir, 'tone.wav', 30, ['-ac', '2']);
    files.cover = path.join(media.dir, 'cover.png');
    await sharp({ create: { width: 800, height: 600, channels: 3, background: '#c04828' } })
      .png()
      .toFile(files.cover);
    files.backdrop = path.join(media.dir, 'backdrop.jpg');
    await sharp({ create: { width: 2400, height: 900, channels: 3, background: '#2858c0' } })
      .jpeg()
      .toFile(files.backdrop);
    files.small = path.join(media.dir, 'small.png');
    await sharp({ create: { width: 64, height: 64, channels: 3, background: '#208040' } })
      .png()
      .toFile(files.small);
    // An ID3 tag that promises 100 kB of tag and then ends: sniffed as MP3, no audio in it.
    files.broken = path.join(media.dir, 'broken.mp3');
    const synchsafe = [0x00, 0x06, 0x0d, 0x20]; // 100,000 in 7-bit bytes
    fs.writeFileSync(
      files.broken,
      Buffer.concat([Buffer.from('ID3'), Buffer.from([4, 0, 0, ...synchsafe]), Buffer.alloc(2000)]),
    );
    files.notes = path.join(media.dir, 'notes.txt');
    fs.writeFileSync(files.notes, 'not a song\n'.repeat(100));
    context = await browser.newContext({ viewport: DESKTOP });
    page = await context.newPage();
    requests = recordRequests(page);
    errors = recordErrors(page);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
    await nats?.stop();
    media.remove();
  }, 60_000);

  describe('serving', () => {
    test('each page answers with and without its trailing slash; other unknown paths are 404', async () => {
      for (const p of ['/storage', '/storage/', '/storage/weather/', '/storage/weather']) {
        const res = await fetch(`${base}${p}`, { redirect: 'manual' });
        expect([p, res.status, res.headers.get('content-type')]).toEqual([
          p,
          200,
          'text/html; charset=utf-8',
        ]);
        expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
        const html = await res.text();
        expect(html).toContain(p.includes('weather') ? '<title>Weather map' : '<title>Uploads');
        // Everything the page loads comes from this node.
        for (const [, url] of html.matchAll(/(?:src|href)="([^"]+)"/g))
          expect(url).toMatch(/^(\/storage|data:)/);
      }
      for (const p of ['/storage/nope', '/storage/weather/nope', '/storage/assets/a/b']) {
        const res = await fetch(`${base}${p}`);
        expect([p, res.status, await res.json()]).toEqual([
          p,
          404,
          { statusCode: 404, code: 'ROUTE_NOT_FOUND', error: 'Not Found', message: `No route GET ${p}` },
        ]);
      }
    });

    test('assets have their content types and immutable caching; names cannot traverse', async () => {
      const html = await (await fetch(`${base}/storage`)).text();
      const [js, css] = [
        /src="(\/storage\/assets\/[^"]+\.js)"/,
        /href="(\/storage\/assets\/[^"]+\.css)"/,
      ].map((re) => re.exec(html)![1]);
      const script = await fetch(`${base}${js}`);
      expect([script.status, script.headers.get('content-type')]).toEqual([
        200,
        'text/javascript; charset=utf-8',
      ]);
      expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect((await fetch(`${base}${css}`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
      for (const bad of [
        '..%2Fdashboard.html',
        '..%2F..%2Fpackage.json',
        '%2Fetc%2Fpasswd',
        'nope.js',
        'dashboard.html',
      ]) {
        const res = await fetch(`${base}/storage/assets/${bad}`);
        expect([bad, res.status, ((await res.json()) as { code: string }).code]).toEqual([
          bad,
          404,
          'NOT_FOUND',
        ]);
      }
    });
    test('GET /storage/events streams every change of a job, wherever it was uploaded', async () => {
      const abort = new AbortController();
      const res = await fetch(`${cluster.nodes[1].url}/storage/events`, { signal: abort.signal });
      expect([res.status, res.headers.get('content-type')]).toEqual([
        200,
        'text/event-stream; charset=utf-8',
      ]);
      const events: { event: string; data: any }[] = [];
      const reading = (async () => {
        const decoder = new TextDecoder();
        let buffer = '';
        for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const event = /^event: (.+)$/m.exec(block)?.[1];
            const data = /^data: (.+)$/m.exec(block)?.[1];
            if (event && data) events.push({ event, data: JSON.parse(data) });
          }
        }
      })().catch(() => undefined);
      try {
        await waitUntil(() => events.some((e) => e.event === 'hello'));
        const { body } = await curlUpload(base, [files.small], 'img_square');
        const id = body[0].id;
        await waitUntil(() =>
          events.some((e) => e.event === 'job' && e.data.id === id && e.data.status === 'done'),
        );
        const statuses = events
          .filter((e) => e.event === 'job' && e.data.id === id)
          .map((e) => e.data.status);
        expect(statuses[0]).toBe('pending');
        expect(statuses[statuses.length - 1]).toBe('done');
        expect(events[0]).toEqual({ event: 'hello', data: { self: ids.get(cluster.nodes[1].url) } });
      } finally {
        abort.abort();
        await reading;
      }
    });
  });

  describe('upload dashboard', () => {
    test('an audio upload shows its progress bar moving, then the job goes live to done and the MP3 plays', async () => {
      await page.goto(`${base}/storage`);
      await waitForText(page.locator('#live'), /^live$/);
      // Throttled to 2 MB/s so the 5.3 MB upload takes a few seconds and sends many progress events.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: 2_000_000,
      });
      await page.evaluate(() => {
        const bar = document.getElementById('upload-progress');
        const seen: number[] = (window.progressSeen = []);
        new MutationObserver(() => seen.push(bar.value)).observe(bar, {
          attributes: true,
          attributeFilter: ['value'],
        });
      });
      await page.setInputFiles('#files', files.tone);
      await page.selectOption('#template', 'audio');
      await page.click('#upload-button');
      const during = await waitForText(page.locator('#upload-text'), /MB of 5\.\d MB · [1-9]\d? %/, 15_000);
      expect(during).toMatch(/of 5\.3 MB/);
      await waitForText(page.locator('#upload-text'), /^Uploaded 1 file: tone\.wav$/, 30_000);
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: -1,
      });
      const seen: number[] = await page.evaluate(() => window.progressSeen);
      expect(seen.filter((v) => v > 0 && v < 100).length).toBeGreaterThanOrEqual(3);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      expect(seen[seen.length - 1]).toBe(100);

      const row = page.locator('tbody.job', { hasText: 'tone.wav' });
      jobIds.audio = (await row.getAttribute('data-job-id')) as string;
      const status = row.locator('td[data-label="Status"]');
      await waitForText(status, /^done$/, 60_000);
      const cells = await row.locator('tr.job-main td').allInnerTexts();
      expect(cells.map((c) => c.trim())).toEqual([
        'done',
        '100 %',
        'audio',
        `tone.wav\n${jobIds.audio}`,
        '5.3 MB',
        '0:30',
        expect.stringMatching(/^127\.0\.0\.1:\d+$/),
        expect.stringMatching(/^\d\d:\d\d:\d\d · took [\d.]+ (ms|s)$/),
        '',
      ]);
      const details = await row.locator('tr.job-details').innerText();
      expect(details).toContain(`${jobIds.audio}_320.mp3`);
      expect(details).toContain('stored on 3 nodes');

      const audio = row.locator('audio');
      expect(await audio.getAttribute('src')).toBe(`/storage/long-term/file/${jobIds.audio}_320.mp3`);
      const played = await audio.evaluate(async (el: any) => {
        const canplay = new Promise((resolve) => el.addEventListener('canplay', resolve, { once: true }));
        el.muted = true;
        await el.play();
        await canplay.catch(() => undefined);
        const start = el.currentTime;
        await new Promise((r) => setTimeout(r, 800));
        const out = {
          readyState: el.readyState,
          advanced: el.currentTime > start,
          duration: el.duration,
          error: el.error?.code ?? null,
        };
        el.pause();
        return out;
      });
      expect(played).toEqual({
        readyState: expect.any(Number),
        advanced: true,
        duration: expect.any(Number),
        error: null,
      });
      expect(played.readyState).toBeGreaterThanOrEqual(2);
      expect(played.duration).toBeCloseTo(30, 0);
    }, 90_000);

    test('two images in one square upload and a backdrop show their thumbnails', async () => {
      await page.setInputFiles('#files', [files.cover, files.backdrop]);
      await page.selectOption('#template', 'img_square');
      await page.click('#upload-button');
      await waitForText(page.locator('#upload-text'), /^Uploaded 2 files: cover\.png, backdrop\.jpg$/);
      const cover = page.locator('tbody.job', { hasText: 'cover.png' });
      jobIds.square = (await cover.getAttribute('data-job-id')) as string;
      await page.setInputFiles('#files', files.backdrop);
      await page.selectOption('#template', 'img_backdrop');
      await page.click('#upload-button');
      await waitForText(page.locator('#upload-text'), /^Uploaded 1 file: backdrop\.jpg$/);
      const backdrop = page.locator('tbody.job', { hasText: 'backdrop' }).first();
      await waitForText(backdrop.locator('td[data-label="Template"]'), /^backdrop$/);

      for (const [row, pixels, thumb] of [
        [cover, '800×600', 150],
        [backdrop, '2400×900', 640],
      ] as const) {
        await waitForText(row.locator('td[data-label="Status"]'), /^done$/, 60_000);
        expect(await row.locator('td[data-label="Length / pixels"]').innerText()).toBe(pixels);
        const img = row.locator('img.thumb');
        await img.waitFor();
        await page.waitForFunction((el) => (el as any).complete, await img.elementHandle());
        expect(await img.evaluate((el: any) => el.naturalWidth)).toBe(thumb);
      }
      await screenshot(page, 'dashboard');
      await page.setViewportSize(PHONE);
      await screenshot(page, 'dashboard-phone');
      await page.setViewportSize(DESKTOP);
    }, 90_000);

    test('an upload the node rejects shows the server’s own message', async () => {
      const { status, body } = await curlUpload(base, [files.notes], 'audio');
      expect([status, body.code]).toEqual([400, 'WRONG_FILE_TYPE']);
      await page.setInputFiles('#files', files.notes);
      await page.selectOption('#template', 'audio');
      await page.click('#upload-button');
      const shown = await waitForText(page.locator('#upload-error'), /WRONG_FILE_TYPE/);
      expect(shown).toBe(`${body.message} (WRONG_FILE_TYPE)`);
      expect(await page.locator('tbody.job', { hasText: 'notes.txt' }).count()).toBe(0);
      await screenshot(page, 'dashboard-rejected');
    });
    test('a job that fails shows error and the reason in its row', async () => {
      await page.setInputFiles('#files', files.broken);
      await page.selectOption('#template', 'audio');
      await page.click('#upload-button');
      await waitForText(page.locator('#upload-text'), /^Uploaded 1 file: broken\.mp3$/);
      const row = page.locator('tbody.job', { hasText: 'broken.mp3' });
      await waitForText(row.locator('td[data-label="Status"]'), /^error$/, 60_000);
      const id = (await row.getAttribute('data-job-id')) as string;
      const { body: job } = await getJson(`${base}/storage/jobs/${id}`);
      expect(job.error).toEqual(expect.any(String));
      expect(await row.locator('td[data-label="Error"]').innerText()).toBe(job.error);
      expect(await row.locator('audio').count()).toBe(0);
      await screenshot(page, 'dashboard-job-error');
    }, 90_000);
  });

  describe('weather map', () => {
    let firstFingerprint: string;

    test('shows every node healthy, and their rings side by side in agreement', async () => {
      await page.goto(`${base}/storage/weather/`);
      await waitForText(page.locator('#banner'), /^3 healthy of 3 nodes · all agree/);
      const cards = page.locator('#nodes article.card');
      expect(await cards.count()).toBe(3);
      for (const n of cluster.nodes) {
        const card = page.locator('#nodes article.card', { hasText: n.url.replace('http://', '') });
        const text = await card.innerText();
        expect(text).toMatch(/healthy/);
        expect(text).toMatch(/last heartbeat\s+(just now|[\d.]+ s ago)/);
        expect(text).toMatch(/version\s+0\.1\.0/);
        expect(text).toMatch(/shards\s+46,656/);
        expect(text).toMatch(/storage\s+[\d.]+ [KMGT]?B of [\d.]+ [KMGT]?B/);
        expect(text).toMatch(/jobs done\s+\d+/);
        // Repair, from the heartbeat record's `repair` field (every node here reports it).
        expect(text).toMatch(/under-replicated\s+\d+/);
        expect(text).toMatch(/pulls in flight\s+\d+/);
        expect(text).toMatch(/repaired\s+\d+ pulled · \d+ deleted · \d+ quarantined/);
        expect(text).toMatch(/lost\s+0/);
        expect(text).toMatch(/last pass\s+(not yet|just now|.+ ago)/);
        expect(text).not.toMatch(/repair\s+unknown/);
      }
      const { body: repair } = await getJson(`${base}/storage/repair/status`);
      expect(repair).toEqual({
        nodeId: ids.get(base),
        status: expect.objectContaining({ lost: 0, pulling: expect.any(Number) }),
        pulling: expect.any(Array),
      });
      const views = page.locator('#rings article.ring-view');
      expect(await views.count()).toBe(3);
      const prints = await page.locator('#rings p.fingerprint code').allInnerTexts();
      expect(new Set(prints).size).toBe(1);
      firstFingerprint = prints[0];
      expect(await page.locator('#rings svg.ring').count()).toBe(3);
      expect(await page.locator('#rings .badge', { hasText: 'DIFFERS' }).count()).toBe(0);
      expect(await page.locator('#history tbody tr').count()).toBeGreaterThanOrEqual(1);
      await screenshot(page, 'weather');
      await page.setViewportSize(PHONE);
      await screenshot(page, 'weather-phone');
      await page.setViewportSize(DESKTOP);
    });

    test('a shard page lists each file and which nodes hold it; damaged copies are called out', async () => {
      await page.fill('#q', jobIds.audio);
      await page.click('#search button');
      await waitForText(page.locator('#shard-title'), new RegExp(`^Shard ${jobIds.audio.slice(-3)}`));
      for (const variant of ['320', 'preview']) {
        const row = page.locator(`tr[data-file="${jobIds.audio}_${variant}.mp3"]`);
        expect(await row.locator('td.copy').allInnerTexts()).toEqual(['✓ has it', '✓ has it', '✓ has it']);
        expect(await row.locator('.badge').innerText()).toBe('healthy');
      }
      expect(await page.locator('ol.owners li').count()).toBe(3);

      // Damage two copies of the square image's files, as a bad disk would.
      const [node2, node3] = [cluster.nodes[1], cluster.nodes[2]];
      const shardDir = (node: typeof node2) =>
        path.join(cluster.dir, node.name, 'blobs', `0_${jobIds.square.slice(-3)}`);
      fs.appendFileSync(path.join(shardDir(node2), `${jobIds.square}_150.jpg`), 'junk');
      fs.rmSync(path.join(shardDir(node3), `${jobIds.square}_480.jpg`));
      await page.fill('#q', `${jobIds.square}_150.jpg`);
      await page.click('#search button');
      const mismatch = page.locator(`tr[data-file="${jobIds.square}_150.jpg"]`);
      await waitForText(mismatch.locator('.badge'), /^DIGEST MISMATCH$/);
      expect(await mismatch.getAttribute('class')).toBe('found');
      expect(await mismatch.locator(`td.copy[data-node-id="${ids.get(node2.url)}"]`).innerText()).toBe(
        'DIGEST MISMATCH',
      );
      const missing = page.locator(`tr[data-file="${jobIds.square}_480.jpg"]`);
      expect(await missing.locator('.badge').innerText()).toBe('NOT REPLICATED');
      expect(await missing.locator(`td.copy[data-node-id="${ids.get(node3.url)}"]`).innerText()).toBe(
        'missing',
      );
      expect(await page.locator(`tr[data-file="${jobIds.square}_1000.jpg"] .badge`).innerText()).toBe(
        'healthy',
      );
      await screenshot(page, 'weather-shard');

      // A pull is over in moments here, so node 3's answer is altered on its way to the page:
      // it says it is pulling the file it lacks.
      const node3Id = ids.get(node3.url) as string;
      await page.route('**/storage/weather/api/shard/*', async (route) => {
        const response = await route.fetch();
        const report = (await response.json()) as ShardReport;
        const file = report.files.find((f) => f.fileName === `${jobIds.square}_480.jpg`);
        if (file) file.copies[node3Id] = { ...file.copies[node3Id], repairing: true };
        const node = report.nodes.find((n) => n.nodeId === node3Id);
        if (node) node.repairing = [`${jobIds.square}_480.jpg`];
        await route.fulfill({ response, json: report });
      });
      await page.click('#shard-refresh');
      const cell = missing.locator(`td.copy[data-node-id="${node3Id}"]`);
      await waitForText(cell, /^REPAIRING$/);
      expect(await cell.getAttribute('data-state')).toBe('missing');
      expect(await missing.locator('.badge').innerText()).toBe('NOT REPLICATED');
      expect(await page.locator('.shard-summary').innerText()).toMatch(/· 1 being repaired/);
      expect(await page.locator('ol.owners').innerText()).toMatch(/repairing 1 file\b/);
      await screenshot(page, 'weather-shard-repairing');
      await page.unroute('**/storage/weather/api/shard/*');
    });

    test('search takes a shard in either form, and shows the node’s message for what it cannot place', async () => {
      const shard = jobIds.audio.slice(-3);
      await page.fill('#q', `0_${shard}`);
      await page.click('#search button');
      await waitForText(page.locator('#shard-title'), new RegExp(`^Shard ${shard}`));
      expect(await page.locator(`tr[data-file="${jobIds.audio}_320.mp3"]`).count()).toBe(1);

      const { body } = await getJson(`${base}/storage/placement/${encodeURIComponent('no such thing')}`);
      expect(body.code).toBe('VALIDATION_FAILED');
      await page.fill('#q', 'no such thing');
      await page.click('#search button');
      expect(await waitForText(page.locator('#search-error'), /./)).toBe(body.message);
      expect(await page.locator('#shard-section').isHidden()).toBe(true);
    });

    test('a disagreement between nodes is made obvious', async () => {
      // Nodes agree within a heartbeat in a healthy cluster, so one node's answer is altered
      // on its way to the page: its ring and healthy set differ from the others'.
      await page.route('**/storage/weather/api/cluster', async (route) => {
        const response = await route.fetch();
        const report = (await response.json()) as ClusterReport;
        const odd = report.views[2];
        odd.ringFingerprint = 'f'.repeat(64);
        if (odd.ring)
          odd.ring = {
            ...odd.ring,
            fingerprint: odd.ringFingerprint,
            primaries: odd.ring.primaries.map(() => 0),
          };
        odd.healthy = odd.healthy?.slice(1);
        report.agreement = compareViews(report.views);
        await route.fulfill({ response, json: report });
      });
      await page.goto(`${base}/storage/weather/`);
      const banner = await waitForText(page.locator('#banner'), /DISAGREEMENT/);
      expect(banner).toMatch(/ring fingerprints differ \(2 rings\) · healthy sets differ \(2 views\)$/);
      const odd = page.locator('#rings article.ring-view.differs');
      expect(await odd.count()).toBe(1);
      expect(await odd.locator('.badge').allInnerTexts()).toEqual(['DIFFERS', 'DIFFERS']);
      expect(await odd.locator('path.diff-mark').count()).toBeGreaterThan(0);
      await screenshot(page, 'weather-disagreement');
      await page.unroute('**/storage/weather/api/cluster');
    });

    test('a stopped node is marked unhealthy and the rings change', async () => {
      await page.goto(`${base}/storage/weather/`);
      await waitForText(page.locator('#banner'), /^3 healthy of 3 nodes · all agree/);
      const stopped = cluster.nodes[2];
      await stopped.stop(10_000);
      // No reload: the page hears of the change (events, and its polling) by itself.
      await waitForText(page.locator('#banner'), /^2 healthy of 3 nodes · all agree/, 20_000);
      const card = page.locator('#nodes article.card', { hasText: stopped.url.replace('http://', '') });
      await waitForText(card.locator('.badge'), /^UNHEALTHY$/);
      const prints = await page.locator('#rings p.fingerprint code').allInnerTexts();
      expect(prints).toHaveLength(2);
      expect(new Set(prints).size).toBe(1);
      expect(prints[0]).not.toBe(firstFingerprint);
      expect(await page.locator('#rings article.ring-view.unasked').innerText()).toMatch(/UNHEALTHY/);
      expect(await page.locator('#history tbody tr').first().innerText()).toContain(
        stopped.url.replace('http://', ''),
      );

      await page.fill('#q', jobIds.audio);
      await page.click('#search button');
      const row = page.locator(`tr[data-file="${jobIds.audio}_320.mp3"]`);
      await waitForText(row.locator('.badge'), /^healthy$/);
      expect(await page.locator('ol.owners li').count()).toBe(2);
      expect(await row.locator(`td.copy[data-node-id="${ids.get(stopped.url)}"]`).innerText()).toBe(
        'unreachable',
      );
      await screenshot(page, 'weather-node-stopped');
    }, 60_000);

    test('nothing was loaded from outside the cluster and no script failed', () => {
      const origins = new Set(cluster.nodes.map((n) => new URL(n.url).origin));
      const outside = requests.filter((u) => !u.startsWith('data:') && !origins.has(new URL(u).origin));
      expect(outside).toEqual([]);
      expect(errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
    });
  });
});
