import { request, send } from './send';
import { refused, served, type AbuseCase, type AbuseContext } from './types';

/** Ways to write `../../etc/passwd` that a careless decoder turns into a path. */
const TRAVERSALS: [string, string, string?][] = [
  ['plain, encoded once', '..%2F..%2Fetc%2Fpasswd'],
  ['encoded dots too', '%2e%2e%2f%2e%2e%2fetc%2fpasswd'],
  ['encoded twice', '%252e%252e%252f%252e%252e%252fetc%252fpasswd'],
  // Not UTF-8 at all: refused before routing.
  ['overlong UTF-8', '%c0%ae%c0%ae%c0%af%c0%ae%c0%ae%c0%afetc%c0%afpasswd', 'MALFORMED_REQUEST'],
  ['backslashes', '..%5c..%5cetc%5cpasswd'],
  ['full-width dots and slash', '%ef%bc%8e%ef%bc%8e%ef%bc%8fetc%ef%bc%8fpasswd'],
  ['an absolute path', '%2fetc%2fpasswd'],
  ['a NUL before a good suffix', '..%2F..%2Fetc%2Fpasswd%00_320.mp3'],
];

/** Route prefixes that name a file, with the code each gives a malformed name. */
const FILE_ROUTES: [string, string, string][] = [
  ['/storage/long-term/file/', 'BAD_FILE_NAME', 'long-term file'],
  ['/storage/stream/', 'BAD_FILE_NAME', 'stream'],
  ['/storage/tmp-obj/temp_0/', 'VALIDATION_FAILED', 'temp object'],
];

const traversals: AbuseCase[] = FILE_ROUTES.flatMap(([prefix, code, route]) =>
  TRAVERSALS.map(([how, name, early]) => ({
    name: `traversal on ${route}: ${how}`,
    act: request({ path: `${prefix}${name}` }),
    expected: refused(400, early ?? code),
  })),
);

/** GET the stored file with a hostile Range header. */
const ranged = (range: (size: number) => string) => (ctx: AbuseContext) =>
  send(ctx, {
    path: `/storage/long-term/file/${ctx.stored.fileName}`,
    headers: { range: range(ctx.stored.size) },
  });

/** Hostile reads: traversal in every encoding, absurd ranges, names that are not names. */
export const readCases: AbuseCase[] = [
  ...traversals,
  {
    name: 'traversal as a shard',
    act: request({ path: '/storage/long-term/shard/..%2F..%2Fetc' }),
    expected: refused(400, 'BAD_SHARD'),
  },
  {
    name: 'traversal as a temp bucket',
    act: request({ path: '/storage/tmp-obj/..%2FKV_nodes/x' }),
    expected: refused(400, 'BAD_BUCKET'),
  },
  {
    name: 'traversal as a job id',
    act: request({ path: '/storage/jobs/..%2F..%2Fetc%2Fpasswd' }),
    expected: refused(400, 'VALIDATION_FAILED'),
  },
  {
    name: 'a range that starts past the end',
    act: ranged((size) => `bytes=${size + 1000}-`),
    expected: refused(416, 'RANGE_NOT_SATISFIABLE'),
  },
  {
    name: 'a range past 2^64',
    act: ranged(() => 'bytes=18446744073709551617-18446744073709551618'),
    expected: refused(416, 'RANGE_NOT_SATISFIABLE'),
  },
  {
    name: 'a range that ends before it starts (ignored: the whole file)',
    act: ranged(() => 'bytes=500-100'),
    expected: served(200),
  },
  {
    name: 'a zero-length suffix range',
    act: ranged(() => 'bytes=-0'),
    expected: refused(416, 'RANGE_NOT_SATISFIABLE'),
  },
  {
    name: '500 ranges in one header (ignored: the whole file)',
    act: ranged(() => `bytes=${Array.from({ length: 500 }, (_, i) => `${i}-${i}`).join(',')}`),
    expected: served(200),
  },
  {
    name: 'a range in another unit (ignored: the whole file)',
    act: ranged(() => 'items=0-10'),
    expected: served(200),
  },
  {
    name: 'a suffix range longer than the file (the whole file, as 206)',
    act: ranged((size) => `bytes=-${size * 10}`),
    expected: served(206),
  },
];
