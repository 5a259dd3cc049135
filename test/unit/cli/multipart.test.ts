import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { multipartUpload } from '../../../cli/multipart';
import { tempDir } from '../../harness/temp';

describe('the CLI’s streamed upload form', () => {
  const dir = tempDir('cli-multipart');
  const file = path.join(dir.dir, 'long take.wav');
  const size = 4 * 1024 * 1024;

  beforeAll(() => fs.writeFileSync(file, randomBytes(size)));
  afterAll(() => dir.remove());

  test('the whole body is the form, byte for byte, with its Content-Length', async () => {
    const form = multipartUpload({ path: file, name: 'long take.wav', size }, { template: 'audio' });
    const sent: number[] = [];
    const parts: Buffer[] = [];
    for await (const chunk of form.body((n) => sent.push(n))) parts.push(Buffer.from(chunk));
    const body = Buffer.concat(parts);
    expect(body.length).toBe(form.length);
    expect(sent.at(-1)).toBe(size);
    // The file's bytes, whole and in one piece, right after the part's headers.
    const start = body.indexOf('\r\n\r\n', body.indexOf('name="files"')) + 4;
    expect(body.subarray(start, start + size).equals(fs.readFileSync(file))).toBe(true);
    const boundary = /boundary=(.+)$/.exec(form.contentType)?.[1];
    expect(body.subarray(-(boundary!.length + 8)).toString()).toBe(`\r\n--${boundary}--\r\n`);
  });

  test('reading stops once the upload is aborted, not at the end of the file', async () => {
    const form = multipartUpload({ path: file, name: 'long take.wav', size }, { template: 'audio' });
    const stop = new AbortController();
    let read = 0;
    for await (const chunk of form.body((n) => {
      read = n;
      stop.abort();
    }, stop.signal)) {
      expect(chunk.length).toBeGreaterThan(0);
    }
    expect(read).toBe(256 * 1024);
  });
});
