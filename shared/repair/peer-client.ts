import { Readable, Transform } from 'node:stream';
import { signNodeRequest } from '../access/node-request';
import { StorageError } from '../errors';
import type { Identity } from '../identity/wallet';
import type { CatalogEntry } from './catalog';

export interface Peer {
  nodeId: string;
  /** Public base URL, `http://host:port`. */
  host: string;
}

/** Internal routes repair calls on its peers (functions/http/internal-*.ts). */
export const INTERNAL_PATHS = {
  summaries: '/storage/internal/summaries',
  shard: (shard: string) => `/storage/internal/shard/${shard}`,
  blob: (fileName: string) => `/storage/internal/blob/${encodeURIComponent(fileName)}`,
} as const;

export interface SummariesBody {
  nodeId: string;
  /** Non-empty shards: `[count, digest]` (./catalog.ts ShardSummary). */
  shards: Record<string, [number, string]>;
}

export interface ShardListingBody {
  nodeId: string;
  shard: string;
  files: CatalogEntry[];
}

/**
 * Signed calls to other nodes (DESIGN §10): every request carries this node's signature; a
 * peer that does not answer within `timeoutMs` (or a pull that stops sending for that long)
 * fails, and the caller skips it. Counts its requests, so a pass can state its cost.
 */
export class PeerClient {
  requests = 0;

  constructor(
    private readonly identity: Identity,
    private readonly timeoutMs: number,
  ) {}

  summaries(peer: Peer, signal?: AbortSignal): Promise<SummariesBody> {
    return this.json<SummariesBody>(peer, INTERNAL_PATHS.summaries, signal);
  }

  async listing(peer: Peer, shard: string, signal?: AbortSignal): Promise<CatalogEntry[]> {
    return (await this.json<ShardListingBody>(peer, INTERNAL_PATHS.shard(shard), signal)).files;
  }

  /** The bytes of a file the peer holds, as a stream that fails when the peer goes quiet. */
  async openBlob(peer: Peer, fileName: string, signal?: AbortSignal): Promise<Readable> {
    const controller = new AbortController();
    const abort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', abort, { once: true });
    const response = await this.fetch(peer, INTERNAL_PATHS.blob(fileName), controller, true);
    if (!response.body)
      throw new StorageError('FILE_NOT_FOUND', `${peer.host}: empty answer for ${fileName}`);
    const guard = idleGuard(this.timeoutMs, () =>
      controller.abort(new StorageError('STORAGE_UNAVAILABLE', `${peer.host} stopped sending ${fileName}`)),
    );
    const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream);
    body.on('error', (err) => guard.destroy(err));
    guard.on('close', () => signal?.removeEventListener('abort', abort));
    return body.pipe(guard);
  }

  private async json<T>(peer: Peer, path: string, signal?: AbortSignal): Promise<T> {
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new StorageError('STORAGE_UNAVAILABLE', `${peer.host} did not answer ${path}`)),
      this.timeoutMs,
    );
    const abort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', abort, { once: true });
    try {
      const response = await this.fetch(peer, path, controller, false);
      return (await response.json()) as T;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
    }
  }

  private async fetch(
    peer: Peer,
    path: string,
    controller: AbortController,
    stream: boolean,
  ): Promise<Response> {
    this.requests += 1;
    let timer: NodeJS.Timeout | undefined;
    if (stream)
      timer = setTimeout(
        () =>
          controller.abort(new StorageError('STORAGE_UNAVAILABLE', `${peer.host} did not answer ${path}`)),
        this.timeoutMs,
      );
    try {
      const response = await fetch(`${peer.host}${path}`, {
        headers: signNodeRequest(this.identity, 'GET', path),
        signal: controller.signal,
        redirect: 'manual',
      });
      if (response.status !== 200) {
        const text = await response.text().catch(() => '');
        const code = response.status === 404 ? 'FILE_NOT_FOUND' : 'STORAGE_UNAVAILABLE';
        throw new StorageError(code, `${peer.host}${path}: ${response.status} ${text.slice(0, 200)}`);
      }
      return response;
    } catch (err) {
      if (err instanceof StorageError) throw err;
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : err;
      if (reason instanceof StorageError) throw reason;
      throw new StorageError(
        'STORAGE_UNAVAILABLE',
        `${peer.host}${path}: ${String((reason as Error)?.message ?? reason)}`,
        {
          cause: reason,
        },
      );
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Pass-through that calls `onIdle` when no chunk has come for `ms`. */
function idleGuard(ms: number, onIdle: () => void): Transform {
  const timer = setTimeout(onIdle, ms);
  const guard = new Transform({
    transform(chunk: Buffer, _enc, done) {
      timer.refresh();
      done(null, chunk);
    },
    flush(done) {
      clearTimeout(timer);
      done();
    },
  });
  guard.on('close', () => clearTimeout(timer));
  return guard;
}
