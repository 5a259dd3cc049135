import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { stopChild } from './stop-child';

/**
 * A real S3-protocol server for tests (DESIGN §9 "S3 servers for tests": s3rver, plain HTTP on
 * loopback). It runs in a child process so its memory and event loop never mix with the code
 * under test (the memory bench measures the driver alone), on a port the OS picks, over a temp
 * directory that `stop()` removes. The child exits when its stdin closes, so a crashed test run
 * cannot leave it behind.
 */
export interface S3Server {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  region: 'us-east-1';
  /** s3rver's built-in account; it checks SigV4 signatures against it. */
  accessKeyId: 'S3RVER';
  secretAccessKey: 'S3RVER';
  /** `s3://<bucket>?region=…&endpoint=…&s3ForcePathStyle=true` */
  storeUrl(bucket: string): string;
  /** Environment a driver reads its credentials from. */
  env: NodeJS.ProcessEnv;
  /** PID of the server process (for RSS checks that must exclude it). */
  pid: number;
  stop(): Promise<void>;
}

export interface S3ServerOptions {
  buckets: string[];
  /** A CORS rule on every bucket letting any page PUT and read `ETag` (a browser's presigned upload). */
  cors?: boolean;
}

// What an operator sets on the bucket for the dashboard's presigned uploads (README "Large uploads").
const BROWSER_PUT_CORS =
  '<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PUT</AllowedMethod>' +
  '<AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader></CORSRule></CORSConfiguration>';

/*
 * s3rver departs from S3 in four ways the conformance suite would (rightly) catch, so the child
 * patches it before starting; the driver is the same against AWS (each patch is commented where
 * it is made):
 *  1. PUT writes the object in place, then its metadata: concurrent PUTs can mix bodies and a
 *     reader can see half an object. S3 commits a PUT atomically: temp file + rename here.
 *  2. Listing follows readdir order ("d/f" before "d-e"); S3 lists in UTF-8 byte order.
 *  3. "bytes=0-0" is read as "from 0 to the end".
 *  4. x-amz-copy-source-if-match is ignored; S3 answers 412 when the ETag differs.
 * (Also: its ListObjectsV2 continuation tokens use DES, which OpenSSL 3 refuses — the driver
 * lists with ListObjects/Marker, which needs no patch; and it cannot AbortMultipartUpload, so
 * parts of an aborted upload stay in its uploads folder, invisible as objects.)
 */
const CHILD = String.raw`
const path = require('node:path');
const fs = require('node:fs');
const crypto = require('node:crypto');
const { pipeline, Transform } = require('node:stream');
const [s3rverDir, directory, bucketsJson, corsXml] = process.argv.slice(1);
const S3rver = require(s3rverDir);
const Store = require(path.join(s3rverDir, 'lib/stores/filesystem.js'));
const commits = new Map();
Store.prototype.putObject = async function putObject(object) {
  const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
  await fs.promises.mkdir(path.dirname(objectPath), { recursive: true });
  const tmp = objectPath + '.' + crypto.randomUUID() + '.tmp';
  const md5 = crypto.createHash('md5');
  let size = 0;
  const source = Buffer.isBuffer(object.content) ? require('node:stream').Readable.from([object.content]) : object.content;
  const count = new Transform({ transform(chunk, _e, cb) { md5.update(chunk); size += chunk.length; cb(null, chunk); } });
  try {
    await new Promise((resolve, reject) => pipeline(source, count, fs.createWriteStream(tmp), (e) => (e ? reject(e) : resolve())));
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
  const hex = md5.digest('hex');
  const previous = commits.get(objectPath) || Promise.resolve();
  const mine = previous.then(async () => {
    await this.putMetadata(object.bucket, object.key, object.metadata, hex);
    await fs.promises.rename(tmp, objectPath);
  });
  commits.set(objectPath, mine.catch(() => undefined));
  await mine;
  return { size, md5: hex };
};
// Its listing walks directories in readdir order ("d/f" before "d-e"), which breaks paging (S3
// lists in UTF-8 byte order), and reads every object's metadata however few keys a page takes.
// Here a page costs one readdir per folder under the prefix, a sort, and metadata for its keys
// only (a backup of 10,000 files lists its archive in ten pages).
const S3Object = require(path.join(s3rverDir, 'lib/models/object.js'));
const OBJECT_SUFFIX = '._S3rver_object';
function keysUnder(dir, rel, prefix, out) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if (err.code === 'ENOENT') return out;
    throw err;
  }
  for (const e of entries) {
    const name = rel + e.name;
    if (e.isDirectory()) {
      const sub = name + '/';
      if (sub.startsWith(prefix) || prefix.startsWith(sub)) keysUnder(path.join(dir, e.name), sub, prefix, out);
    } else if (name.endsWith(OBJECT_SUFFIX)) {
      const key = name.slice(0, -OBJECT_SUFFIX.length);
      if (key.startsWith(prefix)) out.push(Buffer.from(key));
    }
  }
  return out;
}
const listObjects = Store.prototype.listObjects;
Store.prototype.listObjects = async function (bucket, options) {
  if (options.delimiter) return listObjects.call(this, bucket, options);
  const after = Buffer.from(options.startAfter || '');
  const sorted = keysUnder(this.getBucketPath(bucket), '', options.prefix || '', [])
    .filter((k) => Buffer.compare(k, after) > 0)
    .sort(Buffer.compare)
    .map((k) => k.toString());
  const max = options.maxKeys === undefined ? Infinity : options.maxKeys;
  const page = sorted.slice(0, max);
  const metadata = await Promise.all(
    page.map((key) => this.getMetadata(bucket, key).catch((err) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    })),
  );
  return {
    objects: page.flatMap((key, i) => (metadata[i] ? [new S3Object(bucket, key, null, metadata[i])] : [])),
    commonPrefixes: [],
    isTruncated: sorted.length > max,
  };
};
// It reads "bytes=0-0" as "from 0 to the end" (0 is falsy).
const getObject = Store.prototype.getObject;
Store.prototype.getObject = async function (bucket, key, options) {
  if (!options || options.end !== 0) return getObject.call(this, bucket, key, options);
  const object = await getObject.call(this, bucket, key, { start: options.start });
  if (object && object.content) {
    object.content.destroy();
    object.content = fs.createReadStream(this.getResourcePath(bucket, key, 'object'), { start: 0, end: 0 });
    object.range = { start: 0, end: 0 };
  }
  return object;
};
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  configureBuckets: JSON.parse(bucketsJson).map((name) => ({ name, configs: corsXml ? [Buffer.from(corsXml)] : [] })),
});
// It ignores x-amz-copy-source-if-match, which the driver's digest stamp relies on (a
// metadata-only self-copy that must not land on another writer's object). Checked under the
// same per-object lock as commits, so check and copy are one step.
server.middleware.unshift(async (ctx, next) => {
  const ifMatch = ctx.get('x-amz-copy-source-if-match');
  if (ctx.method !== 'PUT' || !ifMatch || !ctx.get('x-amz-copy-source')) return next();
  const [bucket, ...rest] = decodeURIComponent(ctx.get('x-amz-copy-source')).replace(/^\//, '').split('/');
  const key = rest.join('/');
  const objectPath = server.store.getResourcePath(bucket, key, 'object');
  const previous = commits.get(objectPath) || Promise.resolve();
  let release;
  const mine = new Promise((resolve) => (release = resolve));
  commits.set(objectPath, previous.then(() => mine));
  await previous;
  try {
    const meta = await server.store.getMetadata(bucket, key).catch(() => null);
    if (meta && meta.etag !== JSON.stringify(ifMatch.replace(/"/g, ''))) {
      ctx.status = 412;
      ctx.type = 'application/xml';
      ctx.body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>x-amz-copy-source-If-Match</Condition></Error>';
      return;
    }
    await next();
  } finally {
    release();
  }
});
server.run().then(
  (address) => process.stdout.write(JSON.stringify({ port: address.port }) + '\n'),
  (err) => { console.error(err); process.exit(1); },
);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
`;

export async function startS3Server(options: S3ServerOptions): Promise<S3Server> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 's3rver-'));
  const s3rverDir = path.dirname(require.resolve('s3rver/package.json'));
  const child = spawn(
    process.execPath,
    ['-e', CHILD, s3rverDir, dir, JSON.stringify(options.buckets), options.cors ? BROWSER_PUT_CORS : ''],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  let port: number;
  try {
    port = await readPort(child);
  } catch (err) {
    await stopChild(child);
    await fs.rm(dir, { recursive: true, force: true });
    throw err;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    pid: child.pid!,
    storeUrl: (bucket) =>
      `s3://${bucket}?region=us-east-1&endpoint=${encodeURIComponent(endpoint)}&s3ForcePathStyle=true`,
    env: { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' },
    async stop() {
      await stopChild(child);
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

function readPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error('s3rver did not start within 15 s')), 15_000);
    const done = (fn: () => void) => {
      clearTimeout(timer);
      lines.close();
      fn();
    };
    lines.once('line', (line) => done(() => resolve((JSON.parse(line) as { port: number }).port)));
    child.once('exit', (code) =>
      done(() => reject(new Error(`s3rver exited with code ${code} before listening`))),
    );
  });
}
