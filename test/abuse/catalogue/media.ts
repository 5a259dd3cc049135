import { longMp3, lyingPng, lyingWav, smallJpeg, smallPng, squarePng, toneMp3, videoMp4 } from './make';
import { multipart, send } from './send';
import { refused, type AbuseCase, type AbuseContext } from './types';

/** The node under test refuses longer audio (AUDIUS_MAX_AUDIO_SECONDS) and larger images (pixels). */
export const MAX_AUDIO_SECONDS = 60;
export const MAX_IMAGE_PIXELS = 4_000_000;

type Bytes = (ctx: AbuseContext) => Promise<Buffer> | Buffer;

/** Uploads what `bytes` makes under `template`, as one `files` part named `filename`. */
const upload = (template: string, filename: string, bytes: Bytes) => async (ctx: AbuseContext) =>
  send(ctx, {
    method: 'POST',
    path: '/storage/file',
    headers: { 'content-type': 'multipart/form-data; boundary=abuse-boundary' },
    body: multipart([
      { name: 'template', data: template },
      { name: 'files', filename, data: await bytes(ctx) },
    ]),
  });
const cat =
  (...makers: Bytes[]): Bytes =>
  async (ctx) =>
    Buffer.concat(await Promise.all(makers.map((m) => m(ctx))));
const text =
  (s: string): Bytes =>
  () =>
    Buffer.from(s);
const failedJob = { job: 'error' } as const;

/** Hostile media: bombs, polyglots, containers that lie, the wrong kind under the right name. */
export const mediaCases: AbuseCase[] = [
  {
    name: 'an image uploaded as audio',
    act: upload('audio', 'song.mp3', smallPng),
    expected: refused(400, 'WRONG_FILE_TYPE'),
  },
  {
    name: 'audio uploaded as an image',
    act: upload('img_square', 'cover.jpg', toneMp3),
    expected: refused(400, 'WRONG_FILE_TYPE'),
  },
  {
    name: 'HTML named .mp3',
    act: upload('audio', 'song.mp3', text('<html><script>alert(1)</script></html>'.repeat(20))),
    expected: refused(400, 'WRONG_FILE_TYPE'),
  },
  {
    name: 'SVG with a script and an external entity as artwork',
    act: upload(
      'img_square',
      'cover.svg',
      text(
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>' +
          '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script><text>&x;</text></svg>',
      ),
    ),
    expected: refused(400, 'WRONG_FILE_TYPE'),
  },
  {
    name: 'a polyglot: PNG first, MP3 appended, as audio',
    act: upload('audio', 'song.mp3', cat(smallPng, toneMp3)),
    expected: refused(400, 'WRONG_FILE_TYPE'),
  },
  {
    name: 'a polyglot: HTML first, JPEG appended, as artwork',
    act: upload('img_square', 'cover.jpg', cat(text('<html><body>hi</body></html>\n'), smallJpeg)),
    expected: refused(400, 'WRONG_FILE_TYPE'),
  },
  {
    name: 'random bytes behind a valid ID3 tag',
    act: upload(
      'audio',
      'song.mp3',
      cat(text('ID3\x04\x00\x00\x00\x00\x00\x00'), () => Buffer.alloc(4000, 0x5a)),
    ),
    // The tag is all the sniffer sees: ffprobe then finds no audio behind it.
    expected: failedJob,
  },
  {
    name: 'a ZIP named .png',
    act: upload(
      'img_backdrop',
      'cover.png',
      cat(text('PK\x03\x04'), () => Buffer.alloc(2000, 1)),
    ),
    expected: refused(400, 'WRONG_FILE_TYPE'),
  },
  {
    name: 'a pixel bomb: a PNG header that claims 65535×65535',
    act: upload('img_square', 'bomb.png', () => lyingPng(65535, 65535)),
    expected: failedJob,
  },
  {
    name: 'a pixel bomb: a real 2500×2500 PNG of a few KB',
    act: upload('img_backdrop', 'big.png', () => squarePng(2500)),
    expected: failedJob,
  },
  {
    name: 'a duration bomb: 10 minutes of silence in 600 KB',
    act: upload('audio', 'long.mp3', (ctx) => longMp3(ctx, 10 * MAX_AUDIO_SECONDS)),
    expected: failedJob,
  },
  {
    name: 'a WAV header that claims an hour of a one-second file',
    act: upload('audio', 'lying.wav', lyingWav),
    // ffmpeg decodes what is there: one second, stored as one second.
    expected: { job: 'done' },
  },
  {
    name: 'a video with no sound, as audio',
    act: upload('audio', 'clip.mp3', (ctx) => videoMp4(ctx, false)),
    expected: failedJob,
  },
  {
    name: 'a truncated MP3 header (the first 200 bytes)',
    act: upload('audio', 'cut.mp3', async (ctx) => (await toneMp3(ctx)).subarray(0, 200)),
    expected: failedJob,
  },
  {
    name: 'a JPEG cut after its header',
    act: upload('img_square', 'cut.jpg', async () => (await smallJpeg()).subarray(0, 180)),
    expected: failedJob,
  },
];
