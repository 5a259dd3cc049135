import { spawnChild, type Child } from '../../shared/local/child';
import { PROJECT_ROOT } from '../../shared/paths';

/** What a tus client process reports, one JSON line each, on stdout. */
export type TusClientEvent =
  | { url: string }
  /** A PATCH is about to start at this offset (the server's, as the client learnt it). */
  | { patchFrom: number }
  /** The connection is hanging after this many body bytes, as on a dead link. */
  | { stalled: number }
  | { done: true; sent: number }
  | { error: string };

export interface TusClientOptions {
  /** The node's tus endpoint (`{root}/files/`) for a new upload. */
  endpoint: string;
  /** An upload to resume (tus-js-client `uploadUrl`: HEAD, then PATCH from the server's offset). */
  uploadUrl?: string;
  file: string;
  metadata: Record<string, string>;
  /** As the Audius SDK sends (100 MB); small in the smoke test so it has several PATCHes. */
  chunkSize: number;
  /** Stop feeding the connection after this many body bytes: the process then hangs until killed. */
  stallAt?: number;
}

export interface TusClientProcess {
  child: Child;
  events: TusClientEvent[];
  /** Resolves with the first event that matches. */
  next<E extends TusClientEvent>(match: (e: TusClientEvent) => e is E, timeoutMs: number): Promise<E>;
}

/*
 * The child: tus-js-client (the version @audius/sdk 14.1.0 pins) in its own Node process, so
 * a test can SIGKILL it mid-upload as a crash or a closed laptop would. Its HTTP stack is the
 * library's own, wrapped to count the PATCH body bytes that leave the process and, with
 * `stallAt`, to stop feeding the socket there. Plain JavaScript (`node -e`): the test tree is
 * not compiled.
 */
const CHILD = `
const fs = require('node:fs');
const { Transform } = require('node:stream');
const tus = require(process.argv[1]);
const o = JSON.parse(process.argv[2]);
const say = (e) => process.stdout.write(JSON.stringify(e) + '\\n');
let sent = 0;
let stalled = false;
const inner = new tus.DefaultHttpStack();
const httpStack = {
  getName: () => 'counting',
  createRequest(method, url) {
    const req = inner.createRequest(method, url);
    if (method !== 'PATCH') return req;
    const send = req.send.bind(req);
    req.send = (body) => {
      say({ patchFrom: Number(req.getHeader('Upload-Offset')) });
      const count = new Transform({
        transform(chunk, _enc, cb) {
          if (stalled) return;
          const room = o.stallAt === undefined ? chunk.length : o.stallAt - sent;
          if (room < chunk.length) {
            stalled = true;
            sent += Math.max(0, room);
            if (room > 0) this.push(chunk.subarray(0, room));
            return say({ stalled: sent });
          }
          sent += chunk.length;
          cb(null, chunk);
        },
      });
      return send(body.pipe(count));
    };
    return req;
  },
};
const upload = new tus.Upload(fs.createReadStream(o.file), {
  endpoint: o.endpoint,
  uploadUrl: o.uploadUrl,
  chunkSize: o.chunkSize,
  metadata: o.metadata,
  retryDelays: [],
  httpStack,
  onUploadUrlAvailable: () => say({ url: upload.url }),
  onSuccess: () => say({ done: true, sent }),
  onError: (err) => say({ error: String(err) }),
});
upload.start();
`;

/** Starts one tus client process; its events arrive as the upload goes. */
export function startTusClient(options: TusClientOptions): TusClientProcess {
  const events: TusClientEvent[] = [];
  const waiters = new Set<() => void>();
  const tusJs = require.resolve('tus-js-client', { paths: [PROJECT_ROOT] });
  const child = spawnChild('tus-client', process.execPath, ['-e', CHILD, tusJs, JSON.stringify(options)], {
    cwd: PROJECT_ROOT,
    onLine: (line) => {
      events.push(line.startsWith('{') ? JSON.parse(line) : { error: line });
      waiters.forEach((w) => w());
    },
  });
  const next = <E extends TusClientEvent>(match: (e: TusClientEvent) => e is E, timeoutMs: number) =>
    new Promise<E>((resolve, reject) => {
      const check = () => {
        const found = events.find(match);
        const failed = events.find((e): e is { error: string } => 'error' in e);
        if (found || failed) {
          waiters.delete(check);
          clearTimeout(timer);
          if (found) resolve(found);
          else reject(new Error(`tus client: ${failed!.error}`));
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(
          new Error(
            `tus client: no matching event in ${timeoutMs} ms; got ${JSON.stringify(events.slice(-5))}`,
          ),
        );
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return { child, events, next };
}

export const isUrl = (e: TusClientEvent): e is { url: string } => 'url' in e;
export const isStalled = (e: TusClientEvent): e is { stalled: number } => 'stalled' in e;
export const isDone = (e: TusClientEvent): e is { done: true; sent: number } => 'done' in e;
export const isPatchFrom = (e: TusClientEvent): e is { patchFrom: number } => 'patchFrom' in e;
