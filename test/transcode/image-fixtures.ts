import { readFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

/** Images for the image tests, built pixel by pixel so every expected colour is known. */

export type Rgb = [number, number, number];
export const RED: Rgb = [220, 20, 20];
export const GREEN: Rgb = [20, 200, 20];
export const BLUE: Rgb = [20, 20, 220];

/** A raw image whose colour is `pick(x, y)`; 8-bit unless `sixteen`. */
export function paint(
  width: number,
  height: number,
  pick: (x: number, y: number) => number[],
  options: { channels?: 3 | 4; sixteen?: boolean } = {},
): sharp.Sharp {
  const channels = options.channels ?? 3;
  const pixels = options.sixteen
    ? new Uint16Array(width * height * channels)
    : Buffer.alloc(width * height * channels);
  const scale = options.sixteen ? 257 : 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const colour = pick(x, y);
      for (let c = 0; c < channels; c++) pixels[(y * width + x) * channels + c] = colour[c] * scale;
    }
  }
  return sharp(pixels, { raw: { width, height, channels } });
}

/** Colour of one pixel of an image file, as 8-bit RGB. */
export async function pixel(file: string, x: number, y: number): Promise<Rgb> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [data[at], data[at + 1], data[at + 2]];
}

export function expectColour(actual: Rgb, expected: Rgb, tolerance: number): void {
  const off = actual.map((v, i) => Math.abs(v - expected[i]));
  if (Math.max(...off) > tolerance) {
    throw new Error(`colour ${actual.join(',')} is not within ${tolerance} of ${expected.join(',')}`);
  }
}

/**
 * A real PNG whose header claims `width`×`height` but whose data is a few bytes: a
 * decompression bomb as far as anything reading the header can tell.
 */
export function bombPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(1024))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export function fileBytes(file: string): Buffer {
  return readFileSync(file);
}
