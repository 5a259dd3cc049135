import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { transcodeImage } from '../../shared/transcode/mod';
import { bombPng, paint, RED } from './image-fixtures';
import { TEST_ID, ffmpeg, listDir, removeDir, storageError, tempDir, freshDir } from './helpers';

/** Bad images end in a permanent TRANSCODE_FAILED with a readable reason and no files. */

let fixtures: string;
let work: string;
const f = (name: string) => path.join(fixtures, name);

beforeAll(async () => {
  fixtures = tempDir('image-bad-fixtures');
  work = tempDir('image-bad-work');
  ffmpeg('-f', 'lavfi', '-i', 'sine=d=1', '-c:a', 'pcm_s16le', f('song.wav'));
  writeFileSync(f('logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
  // An ISO-BMFF header with HEIC brands: what an iPhone photo starts with.
  writeFileSync(
    f('photo.heic'),
    Buffer.concat([
      Buffer.from([0, 0, 0, 24]),
      Buffer.from('ftypheic\0\0\0\0mif1heic', 'latin1'),
      Buffer.alloc(64),
    ]),
  );
  await paint(1200, 900, (x, y) => [(x * 7) % 256, (y * 5) % 256, ((x + y) * 3) % 256])
    .jpeg({ quality: 95 })
    .toFile(f('full.jpg'));
  const jpeg = readFileSync(f('full.jpg'));
  writeFileSync(f('truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length * 0.4)));
  writeFileSync(
    f('magic-only.jpg'),
    Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(500, 7)]),
  );
  writeFileSync(f('bomb.png'), bombPng(40_000, 40_000));
  await paint(2000, 1500, () => RED)
    .jpeg()
    .toFile(f('big.jpg'));
});

afterAll(() => {
  removeDir(fixtures);
  removeDir(work);
});

describe('rejected images', () => {
  const cases: { name: string; file: string; maxPixels?: number; reason: RegExp }[] = [
    {
      name: 'audio sent to an image template',
      file: 'song.wav',
      reason:
        /^the file is audio \(wav\) but template img_square needs image \(JPEG, PNG, WebP, GIF, TIFF, AVIF\)$/,
    },
    { name: 'SVG (not accepted)', file: 'logo.svg', reason: /^the file is not a recognised image format/ },
    { name: 'HEIC', file: 'photo.heic', reason: /^HEIC images cannot be decoded by this node/ },
    { name: 'a truncated JPEG', file: 'truncated.jpg', reason: /^the image could not be decoded: .+/ },
    {
      name: 'JPEG magic with no image',
      file: 'magic-only.jpg',
      reason: /^the jpeg image is corrupt or truncated: .+/,
    },
    {
      name: 'a decompression bomb (40000×40000 header, 1 kB of data)',
      file: 'bomb.png',
      reason:
        /^the image is 40000×40000 = 1600000000 pixels; the limit is 50000000 \(decompression bomb guard\)$/,
    },
    {
      name: 'a real image over maxPixels',
      file: 'big.jpg',
      maxPixels: 1_000_000,
      reason: /^the image is 2000×1500 = 3000000 pixels; the limit is 1000000/,
    },
  ];

  test.each(cases)('$name', async (c) => {
    // Prepare
    const dir = freshDir(work, c.file.replace(/\W/g, '-') + (c.maxPixels ?? ''));

    // Act
    const err = await storageError(
      transcodeImage({
        template: 'img_square',
        input: f(c.file),
        workDir: dir,
        id: TEST_ID,
        maxPixels: c.maxPixels ?? 50_000_000,
      }),
    );

    // Assess
    expect(err).toMatchObject({ code: 'TRANSCODE_FAILED', statusCode: 422, permanent: true });
    expect(err.message).toMatch(c.reason);
    expect(err.message).not.toContain(fixtures); // no node paths in a job record
    expect(listDir(dir)).toEqual([]);
  });

  test('bad options: VALIDATION_FAILED / BAD_ID, nothing written', async () => {
    const dir = freshDir(work, 'bad-options');
    const base = {
      template: 'img_square' as const,
      input: f('big.jpg'),
      workDir: dir,
      id: TEST_ID,
      maxPixels: 1e8,
    };
    await expect(transcodeImage({ ...base, maxPixels: 0 })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(transcodeImage({ ...base, template: 'audio' as never })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(transcodeImage({ ...base, id: 'A/B' })).rejects.toMatchObject({ code: 'BAD_ID' });
    expect(listDir(dir)).toEqual([]);
  });
});

describe('abort', () => {
  test('an aborted signal rejects with its reason; abort during the work removes what was written', async () => {
    // Prepare
    const before = freshDir(work, 'abort-before');
    const during = freshDir(work, 'abort-during');
    const reason = new Error('shutting down');
    const controller = new AbortController();
    const base = { template: 'img_square' as const, input: f('big.jpg'), id: TEST_ID, maxPixels: 1e8 };

    // Act
    const early = await transcodeImage({ ...base, workDir: before, signal: AbortSignal.abort(reason) }).catch(
      (e: unknown) => e,
    );
    const late = await transcodeImage({
      ...base,
      workDir: during,
      signal: controller.signal,
      // Called between variants, with the first one written in the scratch directory.
      onProgress: () => controller.abort(reason),
    }).catch((e: unknown) => e);

    // Assess
    expect(early).toBe(reason);
    expect(late).toBe(reason);
    expect(listDir(before)).toEqual([]);
    expect(listDir(during)).toEqual([]);
  });
});
