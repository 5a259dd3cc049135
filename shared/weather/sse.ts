import type { FastifyReply } from 'fastify';

/** Comment lines keep proxies from closing an idle stream. */
const KEEPALIVE_MS = 15_000;
/** How long a browser waits before reconnecting (the `retry:` field). */
const RETRY_MS = 2000;

export interface EventStream {
  send(event: string, data: unknown): void;
  /** Resolves when the client goes away (or the server closes the connection). */
  closed: Promise<void>;
}

/**
 * Turns the reply into a server-sent event stream (text/event-stream). The reply is
 * hijacked: fastify no longer serialises it, and closing the server ends it.
 */
export function openEventStream(reply: FastifyReply): EventStream {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write(`retry: ${RETRY_MS}\n\n`);
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
  const closed = new Promise<void>((resolve) => {
    res.once('close', () => {
      clearInterval(keepalive);
      resolve();
    });
  });
  return {
    send(event, data) {
      if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    closed,
  };
}
