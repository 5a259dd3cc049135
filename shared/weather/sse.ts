import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import { StorageError } from '../errors';

/** Comment lines keep proxies from closing an idle stream. */
const KEEPALIVE_MS = 15_000;
/** How long a browser waits before reconnecting (the `retry:` field). */
const RETRY_MS = 2000;

/**
 * Bounds (issue 15): open streams per node, and bytes waiting to go to one slow client. A
 * client that falls that far behind is cut off; its page reconnects (`retry:`) and reloads.
 */
export const MAX_EVENT_STREAMS = 200;
export const MAX_PENDING_BYTES = 1024 * 1024;

/** Every open stream of this process, so a shutdown can end them (they are hijacked). */
const open = new Set<ServerResponse>();

/** Ends every open event stream: fastify's close() would otherwise wait on them for ever. */
export function closeEventStreams(): void {
  for (const res of open) res.end();
}

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
  if (open.size >= MAX_EVENT_STREAMS)
    throw new StorageError(
      'TOO_MANY_EVENT_STREAMS',
      `this node has ${open.size} event streams open; poll GET /storage/jobs instead`,
    );
  reply.hijack();
  const res = reply.raw;
  open.add(res);
  res.writeHead(200, {
    'X-Content-Type-Options': 'nosniff',
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write(`retry: ${RETRY_MS}\n\n`);
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
  const closed = new Promise<void>((resolve) => {
    res.once('close', () => {
      open.delete(res);
      clearInterval(keepalive);
      resolve();
    });
  });
  return {
    send(event, data) {
      if (res.writableEnded) return;
      if (res.writableLength > MAX_PENDING_BYTES) {
        res.destroy();
        return;
      }
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    closed,
  };
}
