import { multipart, raw, request, uploadHead } from './send';
import { refused, type AbuseCase } from './types';

/** The node under test takes files up to this size (AUDIUS_MAX_UPLOAD_BYTES). */
export const MAX_UPLOAD_BYTES = 1_000_000;

const MP3_HEAD = Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x00', 'latin1');
const upload = (body: Buffer, boundary = 'abuse-boundary') =>
  request({
    method: 'POST',
    path: '/storage/file',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    body,
  });
const filePart = (data: Buffer | string, filename = 'a.mp3') => ({ name: 'files', filename, data });
const audio = { name: 'template', data: 'audio' };

/** HTTP and multipart abuse: the request itself is broken, slow, oversized or lies. */
export const httpCases: AbuseCase[] = [
  {
    name: 'a request line that is not HTTP',
    act: raw(['GARBAGE / NONSENSE\r\n\r\n']),
    expected: refused(400, 'MALFORMED_REQUEST'),
  },
  {
    name: 'a header line without a colon',
    act: raw(['GET /storage/health HTTP/1.1\r\nHost: x\r\nthis is not a header\r\n\r\n']),
    expected: refused(400, 'MALFORMED_REQUEST'),
  },
  {
    name: 'a NUL byte in a header value',
    act: raw(['GET /storage/health HTTP/1.1\r\nHost: x\r\nX-Evil: a\x00b\r\n\r\n']),
    expected: refused(400, 'MALFORMED_REQUEST'),
  },
  {
    name: 'both Content-Length and Transfer-Encoding (request smuggling)',
    act: raw([
      'POST /storage/file HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n' +
        'Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ]),
    expected: refused(400, 'MALFORMED_REQUEST'),
  },
  {
    name: 'a chunk size that is not hex',
    act: raw([
      'POST /storage/file HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n' +
        'Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n',
    ]),
    expected: refused(400, 'MALFORMED_REQUEST'),
  },
  {
    name: '64 KB of headers',
    act: raw([`GET /storage/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`]),
    expected: refused(431, 'HEADERS_TOO_LARGE'),
  },
  {
    name: 'a 64 KB URL',
    act: raw([`GET /storage/jobs/${'a'.repeat(64 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`]),
    expected: refused(431, 'HEADERS_TOO_LARGE'),
  },
  {
    name: 'headers sent one line every 400 ms (slow loris)',
    act: raw(
      ['POST /storage/file HTTP/1.1\r\n', ...Array.from({ length: 12 }, (_, i) => `X-Slow-${i}: 1\r\n`)],
      {
        gapMs: 400,
      },
    ),
    expected: refused(408, 'REQUEST_TIMEOUT'),
  },
  {
    name: 'an upload body that trickles ten bytes at a time',
    act: raw(
      [
        uploadHead(100_000),
        '--abuse-boundary\r\nContent-Disposition: form-data; name="files"; filename="a.mp3"\r\n\r\n',
        ...Array.from({ length: 80 }, () => 'x'.repeat(10)),
      ],
      { gapMs: 150 },
    ),
    expected: refused(408, 'UPLOAD_TOO_SLOW'),
  },
  {
    name: 'an upload that stops half-way (Content-Length promises more, then the client half-closes)',
    act: raw(
      [
        uploadHead(50_000),
        multipart([audio, filePart(Buffer.concat([MP3_HEAD, Buffer.alloc(5_000)]))], 'abuse-boundary', false),
      ],
      { end: true },
    ),
    // Node's parser sees the connection end mid-body.
    expected: refused(400, 'MALFORMED_REQUEST'),
  },
  {
    name: 'a Content-Length shorter than the body (the rest is a smuggled request)',
    act: raw([uploadHead(10), multipart([audio, filePart('x'.repeat(500))])]),
    // The rest is parsed as a next request, refused, and the connection closed.
    expected: refused(400, 'MALFORMED_REQUEST'),
  },
  {
    name: 'a body that is JSON',
    act: request({
      method: 'POST',
      path: '/storage/file',
      headers: { 'content-type': 'application/json' },
      body: '{"files":"x","template":"audio"}',
    }),
    expected: refused(400, 'NOT_MULTIPART'),
  },
  {
    name: 'multipart without a boundary',
    act: request({
      method: 'POST',
      path: '/storage/file',
      headers: { 'content-type': 'multipart/form-data' },
      body: 'x',
    }),
    expected: refused(400, 'NOT_MULTIPART'),
  },
  {
    name: 'a boundary that never appears in the body',
    act: upload(multipart([audio, filePart('x'.repeat(100))], 'other-boundary')),
    expected: refused(400, 'NOT_MULTIPART'),
  },
  {
    name: 'a final boundary missing (the form never ends)',
    act: upload(
      multipart([audio, filePart(Buffer.concat([MP3_HEAD, Buffer.alloc(2_000)]))], 'abuse-boundary', false),
    ),
    expected: refused(400, 'NOT_MULTIPART'),
  },
  {
    name: 'a file over the size limit',
    act: upload(multipart([audio, filePart(Buffer.alloc(MAX_UPLOAD_BYTES + 100_000, 1))])),
    expected: refused(413, 'PAYLOAD_TOO_LARGE'),
  },
  {
    name: '51 files in one request',
    act: upload(
      multipart([audio, ...Array.from({ length: 51 }, (_, i) => filePart('x'.repeat(200), `f${i}.mp3`))]),
    ),
    expected: refused(400, 'VALIDATION_FAILED'),
  },
  {
    // Fields past the 20th are dropped, so the template after them never counts.
    name: '500 form fields',
    act: upload(
      multipart([
        ...Array.from({ length: 500 }, (_, i) => ({ name: `f${i}`, data: 'v' })),
        audio,
        filePart('x'),
      ]),
    ),
    // Fields past the 20th are dropped, so the template after them never counts.
    expected: refused(400, 'BAD_TEMPLATE'),
  },
  {
    // Cut at 4 KB, so it names no template.
    name: 'a 100 KB template field',
    act: upload(multipart([{ name: 'template', data: 'a'.repeat(100_000) }, filePart('x'.repeat(100))])),
    expected: refused(400, 'BAD_TEMPLATE'),
  },
  {
    name: 'no template',
    act: upload(multipart([filePart(Buffer.concat([MP3_HEAD, Buffer.alloc(500)]))])),
    expected: refused(400, 'BAD_TEMPLATE'),
  },
  {
    name: 'a template that is a path',
    act: upload(multipart([{ name: 'template', data: '../../audio' }, filePart('x'.repeat(100))])),
    expected: refused(400, 'BAD_TEMPLATE'),
  },
  {
    name: 'an empty file',
    act: upload(multipart([audio, filePart('')])),
    expected: refused(400, 'EMPTY_FILE'),
  },
  {
    name: 'a files part with no filename (a plain field)',
    act: upload(multipart([audio, { name: 'files', data: 'x'.repeat(100) }])),
    expected: refused(400, 'MISSING_FILES'),
  },
  {
    name: 'a file under another part name only',
    act: upload(multipart([audio, { name: 'evil', filename: 'a.mp3', data: 'x'.repeat(100) }])),
    expected: refused(400, 'MISSING_FILES'),
  },
  {
    name: 'a negative preview start',
    act: upload(
      multipart([
        audio,
        { name: 'preview_start_seconds', data: '-5' },
        filePart(Buffer.concat([MP3_HEAD, Buffer.alloc(500)])),
      ]),
    ),
    expected: refused(400, 'VALIDATION_FAILED'),
  },
  {
    name: 'a Content-Length of 1 TB',
    act: raw([uploadHead(2 ** 40), '--abuse-boundary\r\n']),
    expected: refused(413, 'PAYLOAD_TOO_LARGE'),
  },
  {
    name: 'an unknown method on the upload route',
    act: request({ method: 'PUT', path: '/storage/file', body: 'x' }),
    expected: refused(404, 'ROUTE_NOT_FOUND'),
  },
];
