import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { transcodeImage, type ImageOutput, type TranscodeImageResult } from '../../shared/transcode/mod';
import { BLUE, GREEN, RED, expectColour, paint, pixel, type Rgb } from './image-fixtures';
import { TEST_ID, listDir, removeDir, tempDir } from './helpers';

/**
 * Each accepted image kind, built pixel by pixel with sharp, through both image templates;
 * results are decoded again and checked for size, orientation, colour space, flattening
 * and stripped metadata.
 */

const MAX_PIXELS = 50_000_000;
let fixtures: string;
let work: string;
const f = (name: string) => path.join(fixtures, name);

beforeAll(async () => {
  fixtures = tempDir('image-fixtures');
  work = tempDir('image-work');
  // Stored 400×800, top half red, bottom blue; EXIF 6 = "rotate 90° clockwise to display",
  // so upright it is 800×400 with red on the right.
  await paint(400, 800, (_x, y) => (y < 400 ? RED : BLUE))
    .jpeg({ quality: 95 })
    .withMetadata({ orientation: 6 })
    .toFile(f('rotated.jpg'));
  await paint(300, 300, () => RED)
    .toColourspace('cmyk')
    .jpeg({ quality: 95 })
    .toFile(f('cmyk.jpg'));
  // Left half fully transparent *black*, right half opaque green.
  await paint(1000, 500, (x) => (x < 500 ? [0, 0, 0, 0] : [...GREEN, 255]), { channels: 4 })
    .png()
    .toFile(f('alpha.png'));
  await paint(500, 300, () => BLUE, { sixteen: true })
    .toColourspace('rgb16')
    .png()
    .toFile(f('deep.png'));
  // TIFF's default JPEG compression would make it 8-bit; LZW keeps 16.
  await paint(300, 200, () => GREEN, { sixteen: true })
    .toColourspace('rgb16')
    .tiff({ compression: 'lzw' })
    .toFile(f('deep.tiff'));
  // Two frames: red, then blue. Only the first may be used.
  await sharp(
    Buffer.concat([
      Buffer.alloc(200 * 200 * 3, Buffer.from(RED)),
      Buffer.alloc(200 * 200 * 3, Buffer.from(BLUE)),
    ]),
    {
      raw: { width: 200, height: 400, channels: 3, pageHeight: 200 },
    },
  )
    .gif({ loop: 0, delay: [100, 100] })
    .toFile(f('animated.gif'));
  await paint(1200, 800, () => GREEN)
    .webp({ quality: 90 })
    .toFile(f('wide.webp'));
  await paint(256, 256, () => RED)
    .avif()
    .toFile(f('art.avif'));
  // Thirds: red | green | blue, so a centre crop to a square shows ¼ red, ½ green, ¼ blue.
  await paint(2400, 1600, (x) => (x < 800 ? RED : x < 1600 ? GREEN : BLUE))
    .jpeg({ quality: 95 })
    .toFile(f('thirds.jpg'));
});

afterAll(() => {
  removeDir(fixtures);
  removeDir(work);
});

async function run(template: 'img_square' | 'img_backdrop', file: string): Promise<TranscodeImageResult> {
  const dir = path.join(work, `${template}-${file.replace(/\W/g, '-')}`);
  mkdirSync(dir);
  const progress: number[] = [];
  const result = await transcodeImage({
    template,
    input: f(file),
    workDir: dir,
    id: TEST_ID,
    maxPixels: MAX_PIXELS,
    onProgress: (fraction) => progress.push(fraction),
  });
  // One report per variant, the last one once the files are in place.
  expect(progress).toEqual(template === 'img_square' ? [1 / 3, 2 / 3, 1] : [1 / 2, 1]);
  // Exactly the results remain in workDir.
  expect(listDir(dir)).toEqual(result.outputs.map((o) => o.fileName).sort());
  for (const output of result.outputs) await expectCleanJpeg(output, f(file));
  return result;
}

/** Progressive 8-bit sRGB JPEG, no alpha, no EXIF/ICC/orientation, honest size and digest. */
async function expectCleanJpeg(output: ImageOutput, source: string): Promise<void> {
  const bytes = readFileSync(output.path);
  expect(output.path).toBe(path.join(path.dirname(output.path), output.fileName));
  expect(output.contentType).toBe('image/jpeg');
  expect(output.size).toBe(statSync(output.path).size);
  expect(output.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  expect(bytes.equals(readFileSync(source))).toBe(false);
  const meta = await sharp(output.path).metadata();
  expect({
    format: meta.format,
    width: meta.width,
    height: meta.height,
    space: meta.space,
    channels: meta.channels,
    depth: meta.depth,
    isProgressive: meta.isProgressive,
    hasAlpha: meta.hasAlpha,
    hasProfile: meta.hasProfile,
    exif: meta.exif,
    orientation: meta.orientation,
  }).toEqual({
    format: 'jpeg',
    width: output.width,
    height: output.height,
    space: 'srgb',
    channels: 3,
    depth: 'uchar',
    isProgressive: true,
    hasAlpha: false,
    hasProfile: false,
    exif: undefined,
    orientation: undefined,
  });
}

const sizes = (r: TranscodeImageResult) => r.outputs.map((o) => [o.variant, o.fileName, o.width, o.height]);
const colourAt = async (r: TranscodeImageResult, variant: string, x: number, y: number): Promise<Rgb> =>
  pixel(r.outputs.find((o) => o.variant === variant)!.path, x, y);

describe('img_square: 150, 480, 1000, centre-cropped', () => {
  test('a 2400×1600 JPEG is cropped to its centre square', async () => {
    const result = await run('img_square', 'thirds.jpg');
    expect(sizes(result)).toEqual([
      ['150', `${TEST_ID}_150.jpg`, 150, 150],
      ['480', `${TEST_ID}_480.jpg`, 480, 480],
      ['1000', `${TEST_ID}_1000.jpg`, 1000, 1000],
    ]);
    expectColour(await colourAt(result, '1000', 100, 500), RED, 12);
    expectColour(await colourAt(result, '1000', 500, 500), GREEN, 12);
    expectColour(await colourAt(result, '1000', 900, 500), BLUE, 12);
  });

  test('EXIF orientation 6 is applied: the crop of the upright image is blue left, red right', async () => {
    const result = await run('img_square', 'rotated.jpg');
    expectColour(await colourAt(result, '150', 30, 75), BLUE, 12);
    expectColour(await colourAt(result, '150', 120, 75), RED, 12);
  });

  test('CMYK becomes sRGB with the colour kept', async () => {
    const result = await run('img_square', 'cmyk.jpg');
    expect(result.probe).toMatchObject({ format: 'jpeg', space: 'cmyk', channels: 4 });
    expectColour(await colourAt(result, '480', 240, 240), RED, 25);
  });

  test('a 16-bit PNG comes out 8-bit, and a smaller source is scaled up to the exact squares', async () => {
    const result = await run('img_square', 'deep.png');
    expect(result.probe).toMatchObject({
      format: 'png',
      width: 500,
      height: 300,
      space: 'rgb16',
      depth: 'ushort',
    });
    expect(sizes(result).map(([, , w, h]) => [w, h])).toEqual([
      [150, 150],
      [480, 480],
      [1000, 1000],
    ]);
    expectColour(await colourAt(result, '1000', 500, 500), BLUE, 12);
  });

  test('GIF: the first frame only', async () => {
    const result = await run('img_square', 'animated.gif');
    expect(result.probe).toMatchObject({ format: 'gif', width: 200, height: 200, pages: 2 });
    expectColour(await colourAt(result, '150', 75, 75), RED, 12);
  });

  test('AVIF', async () => {
    const result = await run('img_square', 'art.avif');
    expect(result.probe).toMatchObject({ format: 'heif', width: 256, height: 256 });
    expectColour(await colourAt(result, '480', 240, 240), RED, 12);
  });
});

describe('img_backdrop: 640 and 2000 wide, aspect kept, never enlarged', () => {
  test('a 2400×1600 JPEG gives 640×427 and 2000×1333', async () => {
    const result = await run('img_backdrop', 'thirds.jpg');
    expect(sizes(result)).toEqual([
      ['640', `${TEST_ID}_640.jpg`, 640, 427],
      ['2000', `${TEST_ID}_2000.jpg`, 2000, 1333],
    ]);
  });

  test('EXIF orientation 6: upright 800×400; the 2000 variant stays 800 wide under its name', async () => {
    const result = await run('img_backdrop', 'rotated.jpg');
    expect(result.probe).toMatchObject({
      width: 400,
      height: 800,
      orientation: 6,
      displayWidth: 800,
      displayHeight: 400,
    });
    expect(sizes(result)).toEqual([
      ['640', `${TEST_ID}_640.jpg`, 640, 320],
      ['2000', `${TEST_ID}_2000.jpg`, 800, 400],
    ]);
    expectColour(await colourAt(result, '640', 160, 160), BLUE, 12);
    expectColour(await colourAt(result, '640', 480, 160), RED, 12);
  });

  test('PNG alpha is flattened onto white, not black', async () => {
    const result = await run('img_backdrop', 'alpha.png');
    expect(result.probe).toMatchObject({ format: 'png', hasAlpha: true, channels: 4 });
    expectColour(await colourAt(result, '640', 100, 160), [255, 255, 255], 3);
    expectColour(await colourAt(result, '640', 540, 160), GREEN, 12);
  });

  test('a 16-bit TIFF narrower than 640 keeps its size in both variants', async () => {
    const result = await run('img_backdrop', 'deep.tiff');
    expect(result.probe).toMatchObject({ format: 'tiff', depth: 'ushort' });
    expect(sizes(result)).toEqual([
      ['640', `${TEST_ID}_640.jpg`, 300, 200],
      ['2000', `${TEST_ID}_2000.jpg`, 300, 200],
    ]);
    expectColour(await colourAt(result, '2000', 150, 100), GREEN, 12);
  });

  test('WebP', async () => {
    const result = await run('img_backdrop', 'wide.webp');
    expect(sizes(result).map(([, , w, h]) => [w, h])).toEqual([
      [640, 427],
      [1200, 800],
    ]);
  });
});
