import net from 'node:net';
import type { AbuseContext, Answer } from './types';

/** A request as data: what a client sends, through fetch (so well-formed HTTP). */
export interface RequestSpec {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string | FormData;
}

/** Sends `spec` to the node; redirects are answers, not followed. */
export async function send(ctx: AbuseContext, spec: RequestSpec): Promise<Answer> {
  const res = await fetch(`${ctx.url}${spec.path}`, {
    method: spec.method ?? 'GET',
    headers: spec.headers,
    body: spec.body as RequestInit['body'],
    redirect: 'manual',
    signal: AbortSignal.timeout(15_000),
  });
  return answerOf(res.status, res.headers.get('content-type'), Buffer.from(await res.arrayBuffer()));
}

/** `send` bound to one request, for the tables. */
export const request =
  (spec: RequestSpec) =>
  (ctx: AbuseContext): Promise<Answer> =>
    send(ctx, spec);

export interface RawOptions {
  /** Pause between the pieces, ms (a slow client). */
  gapMs?: number;
  /** Half-close after the last piece (a client that stops sending mid-body). */
  end?: boolean;
}

/**
 * Writes `pieces` to a bare TCP socket (for what fetch will not send: broken request lines,
 * lying lengths, bodies that stop) and reads the answer until the node closes the socket or
 * a whole response is in. A node that neither answers nor closes fails the case after 15 s.
 */
export function sendRaw(
  ctx: AbuseContext,
  pieces: (Buffer | string)[],
  options: RawOptions = {},
): Promise<Answer> {
  const { hostname, port } = new URL(ctx.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) return reject(err);
      resolve(parseRaw(Buffer.concat(chunks)));
    };
    const timer = setTimeout(
      () => finish(new Error('the node neither answered nor closed within 15 s')),
      15_000,
    );
    socket.on('data', (d) => {
      chunks.push(d);
      if (complete(Buffer.concat(chunks))) finish();
    });
    socket.on('close', () => finish());
    socket.on('error', () => finish()); // a reset after the answer still counts as the answer
    socket.on('connect', async () => {
      for (const piece of pieces) {
        if (socket.destroyed) return;
        socket.write(piece);
        if (options.gapMs) await new Promise((r) => setTimeout(r, options.gapMs));
      }
      if (options.end) socket.end();
    });
  });
}

export const raw =
  (pieces: (Buffer | string)[], options?: RawOptions) =>
  (ctx: AbuseContext): Promise<Answer> =>
    sendRaw(ctx, pieces, options);

/** A response whose head and Content-Length body are all in. */
function complete(bytes: Buffer): boolean {
  const head = bytes.indexOf('\r\n\r\n');
  if (head < 0) return false;
  const length = /\r\ncontent-length: *(\d+)/i.exec(bytes.subarray(0, head).toString('latin1'));
  return length !== null && bytes.length >= head + 4 + Number(length[1]);
}

function parseRaw(bytes: Buffer): Answer {
  const head = bytes.indexOf('\r\n\r\n');
  const status = /^HTTP\/1\.1 (\d{3})/.exec(bytes.toString('latin1'));
  // A closed socket without a status line is its own outcome (status 0), never a pass.
  if (!status || head < 0) return { status: 0, code: null };
  const type = /\r\ncontent-type: *([^\r]*)/i.exec(bytes.subarray(0, head).toString('latin1'));
  return answerOf(Number(status[1]), type?.[1] ?? null, bytes.subarray(head + 4));
}

function answerOf(status: number, type: string | null, body: Buffer): Answer {
  if (!type?.includes('json') || body.length === 0) return { status, code: null };
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { code?: unknown };
    return { status, code: typeof parsed.code === 'string' ? parsed.code : null, body: parsed };
  } catch {
    return { status, code: null };
  }
}

/** A multipart/form-data body built by hand, so names, headers and boundaries can lie. */
export function multipart(
  parts: { name: string; filename?: string; type?: string; headers?: string; data: Buffer | string }[],
  boundary = 'abuse-boundary',
  close = true,
): Buffer {
  const out: Buffer[] = [];
  for (const p of parts) {
    const file = p.filename === undefined ? '' : `; filename="${p.filename}"`;
    const type = p.type ? `\r\nContent-Type: ${p.type}` : '';
    out.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${file}${type}${p.headers ?? ''}\r\n\r\n`,
      ),
      Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data),
      Buffer.from('\r\n'),
    );
  }
  if (close) out.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(out);
}

/** A raw POST /storage/file head for `body`, with a Content-Length that may lie. */
export function uploadHead(length: number, boundary = 'abuse-boundary', extra = ''): string {
  return (
    `POST /storage/file HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\n` +
    `Content-Length: ${length}\r\n${extra}\r\n`
  );
}
