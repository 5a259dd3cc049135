import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { signEnvelope } from '../../shared/access/signed-envelope';
import { cidOfSha256 } from '../../shared/cid/cid';
import { identityFromHex, newPrivateKeyHex } from '../../shared/identity/wallet';
import { getJson } from '../harness/http';
import { makeTone, sha256Hex } from '../harness/media';
import { startTestNats, type TestNats } from '../harness/nats';
import { startTestNodes, type TestNodes } from '../harness/nodes';
import { tempDir } from '../harness/temp';
import { sdkStorage } from './sdk-client';

/** The stable `code` of a JSON error answer (else the text, so a failure shows what came). */
async function codeOf(res: Response): Promise<string> {
  const text = await res.text();
  try {
    return (JSON.parse(text) as { code: string }).code;
  } catch {
    return `not JSON: ${text}`;
  }
}

/** A tus `Upload-Metadata` header: key, space, base64 value; comma separated. */
function tusMetadata(entries: Record<string, string>): string {
  return Object.entries(entries)
    .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
    .join(',');
}

/** The discovery node that signs stream URLs in this test (AUDIUS_STREAM_SIGNERS). */
const discovery = identityFromHex(newPrivateKeyHex());

/**
 * The real @audius/sdk 14.1.0 against a 3-node cluster: tus upload, polling, the signed
 * stream, artwork variants, generatePreview, failures — the client API end to end.
 */
describe('@audius/sdk 14.1.0 against Storage V2 nodes', () => {
  let nats: TestNats;
  let cluster: TestNodes;
  const media = tempDir('sdk-media');
  let roots: string[];
  let track: string;
  let cover: Buffer;
  let trackUpload: any;
  let coverUpload: any;

  beforeAll(async () => {
    nats = await startTestNats(1);
    cluster = await startTestNodes(3, nats.urls, { AUDIUS_STREAM_SIGNERS: discovery.address });
    roots = cluster.nodes.map((n) => n.url);
    track = makeTone(media.dir, 'dub.wav', 40);
    cover = await sharp({ create: { width: 1200, height: 900, channels: 3, background: 'teal' } })
      .jpeg()
      .toBuffer();
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
    await nats?.stop();
    media.remove();
  });

  // Several tests read the same two uploads: each awaits them, so any test runs alone too,
  // and each allows for making them (two SDK uploads with their transcodes, then its own work).
  const UPLOADS_MS = 240_000;
  let uploading: Promise<void> | undefined;
  const uploadBoth = (): Promise<void> => (uploading ??= uploadTrackAndCover());
  async function uploadTrackAndCover(): Promise<void> {
    const { storage } = sdkStorage(roots);
    [trackUpload, coverUpload] = await Promise.all([
      storage
        .uploadFile({
          file: fs.readFileSync(track) as any,
          metadata: { template: 'audio', filename: 'dub.wav', filetype: 'audio/wav' },
        })
        .start(),
      storage
        .uploadFile({
          file: cover as any,
          metadata: { template: 'img_square', filename: 'cover.jpg', filetype: 'image/jpeg' },
        })
        .start(),
    ]);
  }

  test(
    'uploadFile(...).start() of a track and a cover ends done with mediorum-shaped results',
    async () => {
      await uploadBoth();
      expect(trackUpload).toEqual(
        expect.objectContaining({
          id: expect.stringMatching(/^[0-9a-z]{25}$/),
          status: 'done',
          template: 'audio',
          orig_filename: 'dub.wav',
          orig_file_cid: cidOfSha256(sha256Hex(track)),
          transcode_progress: 1,
          probe: { format: expect.objectContaining({ duration: '40' }) },
        }),
      );
      expect(Object.keys(trackUpload.results).sort()).toEqual(['320', '320_preview|10']);
      expect(coverUpload.status).toBe('done');
      expect(Object.keys(coverUpload.results).sort()).toEqual([
        '1000x1000.jpg',
        '150x150.jpg',
        '480x480.jpg',
        'original.jpg',
      ]);
      expect(coverUpload.results['original.jpg']).toBe(cidOfSha256(sha256Hex(cover)));
    },
    UPLOADS_MS,
  );

  test(
    'the signed cidstream URL returns the MP3 (sha256, ffprobe) from any node; Range works',
    async () => {
      await uploadBoth();
      const cid = trackUpload.results['320'];
      const signature = signEnvelope(discovery.privateKey, { cid, timestamp: Date.now(), trackId: 1 });
      const bytes = await Promise.all(
        roots.map(async (root) => {
          const res = await fetch(
            `${root}/tracks/cidstream/${cid}?signature=${encodeURIComponent(signature)}`,
          );
          expect(res.status).toBe(200);
          expect(res.headers.get('content-type')).toBe('audio/mpeg');
          return Buffer.from(await res.arrayBuffer());
        }),
      );
      expect(bytes.map((b) => cidOfSha256(sha256Hex(b)))).toEqual([cid, cid, cid]);
      const mp3 = path.join(media.dir, 'streamed.mp3');
      fs.writeFileSync(mp3, bytes[0]);
      const probe = JSON.parse(
        execFileSync('ffprobe', ['-v', 'quiet', '-print_format', 'json', '-show_streams', mp3]).toString(),
      );
      expect(probe.streams[0]).toEqual(expect.objectContaining({ codec_name: 'mp3', bit_rate: '320000' }));
      const ranged = await fetch(
        `${roots[1]}/tracks/cidstream/${cid}?signature=${encodeURIComponent(signature)}`,
        {
          headers: { Range: 'bytes=1000-1999' },
        },
      );
      expect(ranged.status).toBe(206);
      expect(ranged.headers.get('content-range')).toBe(`bytes 1000-1999/${bytes[0].length}`);
      expect(Buffer.from(await ranged.arrayBuffer())).toEqual(bytes[0].subarray(1000, 2000));
    },
    UPLOADS_MS,
  );

  test(
    'cidstream refuses a missing, foreign or wrong-cid signature with clear codes',
    async () => {
      await uploadBoth();
      const cid = trackUpload.results['320'];
      const url = `${roots[0]}/tracks/cidstream/${cid}`;
      const stranger = identityFromHex(newPrivateKeyHex());
      const other = trackUpload.results['320_preview|10'];
      const cases: [string, number, string][] = [
        ['', 401, 'SIGNATURE_REQUIRED'],
        [
          signEnvelope(stranger.privateKey, { cid, timestamp: Date.now() }),
          403,
          'SIGNATURE_SIGNER_NOT_ALLOWED',
        ],
        [
          signEnvelope(discovery.privateKey, { cid: other, timestamp: Date.now() }),
          403,
          'SIGNATURE_NAME_MISMATCH',
        ],
        [
          signEnvelope(discovery.privateKey, { cid, timestamp: Date.now() - 49 * 3600_000 }),
          401,
          'SIGNATURE_EXPIRED',
        ],
      ];
      for (const [signature, status, code] of cases) {
        const res = await fetch(signature ? `${url}?signature=${encodeURIComponent(signature)}` : url);
        expect([res.status, await codeOf(res)]).toEqual([status, code]);
      }
      const asContent = await getJson(`${roots[0]}/content/${cid}`);
      expect([asContent.status, asContent.body.code]).toEqual([401, 'AUDIO_NEEDS_CIDSTREAM']);
    },
    UPLOADS_MS,
  );

  test(
    'artwork by CID and by upload id + variant decodes at the right sizes, on every node',
    async () => {
      await uploadBoth();
      for (const [variant, size] of [
        ['150x150.jpg', 150],
        ['480x480.jpg', 480],
        ['1000x1000.jpg', 1000],
      ] as const) {
        for (const root of roots) {
          const byId = await fetch(`${root}/content/${coverUpload.id}/${variant}`);
          expect(byId.status).toBe(200);
          const meta = await sharp(Buffer.from(await byId.arrayBuffer())).metadata();
          expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', size, size]);
        }
        const byCid = await fetch(`${roots[2]}/content/${coverUpload.results[variant]}`);
        expect(sha256Hex(Buffer.from(await byCid.arrayBuffer()))).toBe(
          (await getJson(`${roots[0]}/storage/jobs/${coverUpload.id}`)).body.results.find(
            (r: any) => r.name === `${coverUpload.id}_${size}.jpg`,
          ).sha256,
        );
      }
      const original = await fetch(`${roots[0]}/content/${coverUpload.id}/original.jpg`);
      expect(Buffer.from(await original.arrayBuffer())).toEqual(cover);
    },
    UPLOADS_MS,
  );

  test(
    'generatePreview returns a new preview CID that streams as a 30 s MP3',
    async () => {
      await uploadBoth();
      const { storage } = sdkStorage(roots);
      const cid = await storage.generatePreview({ cid: trackUpload.results['320'], secondOffset: 5 });
      expect(cid).toMatch(/^baeaaaiq/);
      expect(Object.values(trackUpload.results)).not.toContain(cid);
      const signature = signEnvelope(discovery.privateKey, { cid, timestamp: Date.now() });
      const res = await fetch(
        `${roots[1]}/tracks/cidstream/${cid}?signature=${encodeURIComponent(signature)}`,
      );
      expect(res.status).toBe(200);
      const file = path.join(media.dir, 'preview.mp3');
      fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
      const duration = Number(
        execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]),
      );
      expect(duration).toBeGreaterThan(29.9);
      expect(duration).toBeLessThan(30.2);
      const status = await storage.getUploadStatus(trackUpload.id);
      expect(status.results['320_preview|5']).toBe(cid);
    },
    UPLOADS_MS,
  );

  test(
    "every result is readable through the seed routes with its CID's sha256, and the weather map shows it",
    async () => {
      await uploadBoth();
      for (const upload of [trackUpload, coverUpload]) {
        const job = (await getJson(`${roots[2]}/storage/jobs/${upload.id}`)).body;
        expect(job.status).toBe('done');
        const record = (await getJson(`${roots[0]}/uploads/${upload.id}`)).body;
        const cids = new Set([...Object.values(record.results), record.orig_file_cid]);
        expect(job.results.map((r: any) => cidOfSha256(r.sha256)).sort()).toEqual([...cids].sort());
        for (const [i, result] of job.results.entries()) {
          const res = await fetch(`${roots[i % roots.length]}/storage/long-term/file/${result.name}`);
          expect([result.name, res.status]).toEqual([result.name, 200]);
          expect(sha256Hex(Buffer.from(await res.arrayBuffer()))).toBe(result.sha256);
        }
        const shard = (await getJson(`${roots[1]}/storage/weather/api/shard/${job.results[0].shard}`)).body;
        const shown = shard.files.filter((f: any) => f.jobId === upload.id);
        expect(
          shown.map((f: any) => [f.fileName, f.status, f.goodOwnerCopies, f.expected.sha256]).sort(),
        ).toEqual(job.results.map((r: any) => [r.name, 'healthy', 3, r.sha256]).sort());
      }
      const original = (await getJson(`${roots[0]}/storage/jobs/${trackUpload.id}`)).body.results.find(
        (r: any) => r.variant === 'original',
      );
      expect([original.name, original.sha256]).toEqual([`${trackUpload.id}_original.wav`, sha256Hex(track)]);
      const listed = await getJson(`${roots[1]}/uploads?after=${encodeURIComponent('2000-01-01T00:00:00Z')}`);
      expect(listed.body.map((u: any) => u.id)).toEqual(
        expect.arrayContaining([trackUpload.id, coverUpload.id]),
      );
    },
    UPLOADS_MS,
  );

  test('failing uploads reach the SDK as errors: text as audio, a corrupt image, an empty file', async () => {
    const { storage } = sdkStorage(roots);
    const text = Buffer.from('this is not audio at all\n'.repeat(100));
    await expect(
      storage
        .uploadFile({ file: text as any, metadata: { template: 'audio', filename: 'notes.mp3' } })
        .start(),
    ).rejects.toThrow(/WRONG_FILE_TYPE/);
    const corrupt = Buffer.concat([cover.subarray(0, 2000), Buffer.alloc(4000, 7)]);
    await expect(
      storage
        .uploadFile({ file: corrupt as any, metadata: { template: 'img_square', filename: 'bad.jpg' } })
        .start(),
    ).rejects.toThrow(/TRANSCODE_FAILED/);
    await expect(
      storage
        .uploadFile({ file: Buffer.alloc(0) as any, metadata: { template: 'audio', filename: 'empty.wav' } })
        .start(),
    ).rejects.toThrow(/EMPTY_FILE/);
  }, 60_000);

  test(
    'client routes refuse bad input with clear JSON errors',
    async () => {
      await uploadBoth();
      const unknownId = 'c'.repeat(25);
      const noCid = cidOfSha256('0'.repeat(64));
      const tus = (headers: Record<string, string> = {}) => ({ 'Tus-Resumable': '1.0.0', ...headers });
      const patch = (offset: string, type = 'application/offset+octet-stream') =>
        tus({ 'Upload-Offset': offset, 'Content-Type': type });
      const open = await fetch(`${roots[0]}/files/`, {
        method: 'POST',
        headers: tus({ 'Upload-Length': '10', 'Upload-Metadata': tusMetadata({ template: 'audio' }) }),
      });
      expect(open.status).toBe(201);
      const openUrl = new URL(open.headers.get('location')!, roots[0]).pathname;
      const cases: [string, string, Record<string, string>, number, string][] = [
        ['GET', '/uploads/not-an-id', {}, 400, 'VALIDATION_FAILED'],
        ['GET', `/uploads/${unknownId}`, {}, 404, 'JOB_NOT_FOUND'],
        ['GET', '/uploads?after=yesterday', {}, 400, 'VALIDATION_FAILED'],
        ['GET', '/content/bafkreinotacid', {}, 400, 'BAD_CID'],
        ['GET', `/content/${noCid}`, {}, 404, 'CID_NOT_FOUND'],
        ['GET', `/content/${coverUpload.id}/999x999.jpg`, {}, 400, 'BAD_VARIANT'],
        ['GET', `/content/${unknownId}/150x150.jpg`, {}, 404, 'JOB_NOT_FOUND'],
        ['GET', `/content/${trackUpload.id}/320`, {}, 400, 'BAD_VARIANT'],
        ['GET', '/tracks/cidstream/bafkreinotacid?signature=x', {}, 400, 'BAD_CID'],
        ['GET', `/tracks/cidstream/${noCid}?signature=x`, {}, 404, 'CID_NOT_FOUND'],
        ['POST', `/generate_preview/${trackUpload.results['320']}/abc`, {}, 400, 'VALIDATION_FAILED'],
        ['POST', `/generate_preview/${coverUpload.results['150x150.jpg']}/5`, {}, 400, 'BAD_VARIANT'],
        ['POST', `/generate_preview/${noCid}/5`, {}, 404, 'CID_NOT_FOUND'],
        ['POST', '/generate_preview/bafkreinotacid/5', {}, 400, 'BAD_CID'],
        [
          'POST',
          '/files/',
          tus({ 'Upload-Metadata': tusMetadata({ template: 'audio' }) }),
          400,
          'TUS_BAD_REQUEST',
        ],
        [
          'POST',
          '/files/',
          tus({ 'Upload-Length': String(2 ** 50), 'Upload-Metadata': tusMetadata({ template: 'audio' }) }),
          413,
          'PAYLOAD_TOO_LARGE',
        ],
        [
          'POST',
          '/files/',
          tus({ 'Upload-Length': '10', 'Upload-Metadata': tusMetadata({ template: 'video' }) }),
          400,
          'BAD_TEMPLATE',
        ],
        [
          'POST',
          '/files/',
          tus({
            'Upload-Length': '10',
            'Upload-Metadata': tusMetadata({ template: 'audio', previewStartSeconds: '-3' }),
          }),
          400,
          'VALIDATION_FAILED',
        ],
        [
          'POST',
          '/files/',
          tus({ 'Upload-Length': '0', 'Upload-Metadata': tusMetadata({ template: 'audio' }) }),
          400,
          'EMPTY_FILE',
        ],
        ['PATCH', `/files/${unknownId}`, patch('0'), 404, 'UPLOAD_NOT_FOUND'],
        ['PATCH', '/files/..%2Fetc', patch('0'), 404, 'UPLOAD_NOT_FOUND'],
        ['PATCH', openUrl, patch('5'), 409, 'TUS_OFFSET_CONFLICT'],
        ['PATCH', openUrl, patch('0', 'text/plain'), 400, 'TUS_BAD_REQUEST'],
        ['PATCH', openUrl, patch('abc'), 400, 'TUS_BAD_REQUEST'],
        ['POST', '/files/', { 'Upload-Length': '10' }, 400, 'TUS_BAD_REQUEST'],
        ['DELETE', `/files/${unknownId}`, tus(), 404, 'UPLOAD_NOT_FOUND'],
      ];
      for (const [method, url, headers, status, code] of cases) {
        const res = await fetch(`${roots[0]}${url}`, { method, headers });
        expect([method, url, res.status, await codeOf(res)]).toEqual([method, url, status, code]);
      }
      const head = await fetch(`${roots[0]}/files/${unknownId}`, { method: 'HEAD', headers: tus() });
      expect(head.status).toBe(404);
      const ended = await fetch(`${roots[0]}${openUrl}`, { method: 'DELETE', headers: tus() });
      expect(ended.status).toBe(204);
      expect((await fetch(`${roots[0]}${openUrl}`, { method: 'HEAD', headers: tus() })).status).toBe(404);
    },
    UPLOADS_MS,
  );

  test('placementHosts: members with the receiving node are accepted, placement stays by shard; others refused', async () => {
    const { storage } = sdkStorage([roots[0]]);
    const upload = await storage
      .uploadFile({
        file: cover as any,
        metadata: {
          template: 'img_backdrop',
          filename: 'wide.jpg',
          placementHosts: `${roots[0]},${roots[1]}/`,
        },
      })
      .start();
    expect(upload.status).toBe('done');
    const owners = (await getJson(`${roots[0]}/storage/placement/${upload.id}`)).body.owners.map(
      (o: any) => o.nodeId,
    );
    expect(owners).toHaveLength(3);
    const job = (await getJson(`${roots[0]}/storage/jobs/${upload.id}`)).body;
    for (const result of job.results) expect([...result.nodes].sort()).toEqual([...owners].sort());
    expect(
      cluster.output.some((l) => l.includes(upload.id) && l.includes('placementHosts not followed')),
    ).toBe(true);
    for (const placementHosts of ['http://127.0.0.1:1', `${roots[1]},${roots[2]}`, 'not a url']) {
      await expect(
        storage
          .uploadFile({
            file: cover as any,
            metadata: { template: 'img_square', filename: 'c.jpg', placementHosts },
          })
          .start(),
      ).rejects.toThrow(/BAD_PLACEMENT_HOSTS/);
    }
  }, 60_000);

  test('health_check has the fields the SDK node selector reads, measured', async () => {
    const { body, status } = await getJson(`${roots[0]}/health_check`);
    expect(status).toBe(200);
    expect(body.data.diskHasSpace).toBe(true);
    expect(body.data.transcodeStats.AvgTranscodeTime).toBeGreaterThanOrEqual(0);
    expect(body.signer).toBe(body.data.self.wallet);
    const full = await startTestNodes(1, nats.urls, { AUDIUS_MIN_FREE_DISK_MB: String(1024 ** 3) });
    try {
      const { body: refused } = await getJson(`${full.nodes[0].url}/health_check`);
      expect(refused.data.diskHasSpace).toBe(false);
    } finally {
      await full.stop();
    }
  }, 60_000);
});
