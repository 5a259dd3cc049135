import { createParser } from 'eventsource-parser';
import type { Job } from '../shared/jobs/types';
import type { NodeClient } from './client';

/** How long the event stream may take to open before the CLI polls instead. */
const OPEN_TIMEOUT_MS = 5000;

export type JobListener = (job: Job) => void;

export interface JobEvents {
  /** `events` while the node's event stream is open, `polling` once it is not. */
  mode(): 'events' | 'polling';
  /** Resolves when the stream ends (the node went away, or close()). */
  ended: Promise<void>;
  close(): void;
}

/**
 * Every change of every job record, from the node's `GET /storage/events` (server-sent
 * events, one watch on KV `jobs` per node). Resolves once the node said `hello`, i.e. its
 * watch is running, so no change made after this returns is missed. Rejects when the
 * stream cannot be opened (a Lambda-hosted node cannot stream): callers poll instead.
 */
export async function openJobEvents(client: NodeClient, onJob: JobListener): Promise<JobEvents> {
  const stop = new AbortController();
  const opening = setTimeout(() => stop.abort(new Error('the event stream did not open')), OPEN_TIMEOUT_MS);
  let open = true;
  try {
    const res = await fetch(client.url('/events'), {
      headers: { accept: 'text/event-stream' },
      signal: stop.signal,
    });
    if (!res.ok || !res.body || !String(res.headers.get('content-type')).startsWith('text/event-stream')) {
      await res.body?.cancel();
      throw new Error(`the event stream answered ${res.status}`);
    }
    let hello!: () => void;
    const ready = new Promise<void>((resolve) => (hello = resolve));
    const parser = createParser({
      onEvent(event) {
        if (event.event === 'hello') hello();
        if (event.event !== 'job') return;
        try {
          onJob(JSON.parse(event.data) as Job);
        } catch {
          // A record this version cannot read is skipped; the poll after the stream catches up.
        }
      },
    });
    const decoder = new TextDecoder();
    const ended = (async () => {
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          parser.feed(decoder.decode(chunk, { stream: true }));
        }
      } catch {
        // Closed by us or by the node going away: either way the stream is over.
      } finally {
        open = false;
        hello();
      }
    })();
    await ready;
    clearTimeout(opening);
    if (!open) throw new Error('the event stream closed before it started');
    return {
      mode: () => (open ? 'events' : 'polling'),
      ended,
      close: () => stop.abort(),
    };
  } catch (err) {
    clearTimeout(opening);
    stop.abort();
    throw err;
  }
}
