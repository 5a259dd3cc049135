import { Readable, Transform } from 'node:stream';
import { macNodeRequest } from '../access/node-mac';
import { signNodeRequest } from '../access/node-request';
import { StorageError } from '../errors';
import { bodySnippet, readBoundedJson } from '../http/bounded-body';
import type { Identity } from '../identity/wallet';
import type { CatalogEntry } from './catalog';

export interface Peer {
  nodeId: string;
  /** Public base URL, `http://host:port`. */
  host: string;
  /** Its published public key: requests then carry a MAC instead of a signature (node-mac.ts). */
  publicKey?: string;
}

/** A member as a peer to call. */
export function peerOf(m: { nodeId: string; host: string; publicKey?: string }): Peer {
  return { nodeId: m.nodeId, host: m.host, publicKey: m.publicKey };
}

/** Internal routes repair calls on its peers (functions/http/internal-*.ts). */
export const INTERNAL_PATHS = {
  summaries: '/storage/internal/summaries',
  shards: (shards: string[], verify = false) =>
    `/storage/internal/shards?s=${shards.join(',')}${verify ? '&verify=true' : ''}`,
  blob: (fileName: string) => `/storage/internal/blob/${encodeURIComponent(fileName)}`,
} as const;

export interface SummariesBody {
  nodeId: string;
  /** Non-empty shards: `[count, digest]` (./catalog.ts ShardSummary). */
  shards: Record<string, [number, string]>;
}

export interface ShardListingBody {
  nodeId: string;
  shards: Record<string, CatalogEntry[]>;
}

/** Shards one listing request may name (the query stays under 2 KB). */
export const MAX_SHARDS_PER_LISTING = 256;

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

  async summaries(peer: Peer, signal?: AbortSignal): Promise<SummariesBody> {
    return fromPeer(peer, await this.json<SummariesBody>(peer, INTERNAL_PATHS.summaries, signal));
  }

  /**
   * The verified copies `peer` holds of each of `shards`, a few hundred a request. With
   * `verify`, the peer checks each against its store first (a stat, not a re-hash): trim's
   * fresh check must not rest on a catalog entry whose file is gone.
   */
  async listings(
    peer: Peer,
    shards: string[],
    signal?: AbortSignal,
    verify = false,
  ): Promise<Map<string, CatalogEntry[]>> {
    const out = new Map<string, CatalogEntry[]>();
    for (let i = 0; i < shards.length; i += MAX_SHARDS_PER_LISTING) {
      const chunk = shards.slice(i, i + MAX_SHARDS_PER_LISTING);
      const body = fromPeer(
        peer,
        await this.json<ShardListingBody>(peer, INTERNAL_PATHS.shards(chunk, verify), signal),
      );
      for (const shard of chunk) out.set(shard, body.shards?.[shard] ?? []);
    }
    return out;
  }

  /** One shard's listing (./listings). */
  async listing(peer: Peer, shard: string, signal?: AbortSignal, verify = false): Promise<CatalogEntry[]> {
    return (await this.listings(peer, [shard], signal, verify)).get(shard)!;
  }

  /** The bytes of a file the peer holds, as a stream that fails when the peer goes quiet. */
  async openBlob(peer: Peer, fileName: string, signal?: AbortSignal): Promise<Readable> {
    const controller = new AbortController();
    const abort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', abort, { once: true });
    let response: Response;
    try {
      response = await this.fetch(peer, INTERNAL_PATHS.blob(fileName), controller, true);
    } catch (err) {
      signal?.removeEventListener('abort', abort);
      throw err;
    }
    const guard = idleGuard(this.timeoutMs, () =>
      controller.abort(new StorageError('STORAGE_UNAVAILABLE', `${peer.host} stopped sending ${fileName}`)),
    );
    const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream);
    body.on('error', (err) => guard.destroy(err));
    // However the reader ends (done, a failed put, an abort), the connection goes with it: a
    // reader that stops early must not leave the peer's reply and file handle open.
    guard.on('close', () => {
      signal?.removeEventListener('abort', abort);
      controller.abort();
    });
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
      // The timer above still runs: a peer that trickles its body is cut at timeoutMs.
      return await readBoundedJson<T>(response, `${peer.host}${path}`);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
    }
  }

  /** A MAC when the peer's key is known (microseconds), else a signature (milliseconds). */
  private proof(peer: Peer, path: string): Record<string, string> {
    const request = { method: 'GET', path, to: peer.nodeId };
    return (
      (peer.publicKey && macNodeRequest(this.identity, peer.publicKey, request)) ||
      signNodeRequest(this.identity, request)
    );
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
        headers: this.proof(peer, path),
        signal: controller.signal,
        redirect: 'manual',
      });
      if (response.status !== 200 || !response.body) {
        const text = await bodySnippet(response);
        const code = response.status === 404 ? 'FILE_NOT_FOUND' : 'STORAGE_UNAVAILABLE';
        throw new StorageError(code, `${peer.host}${path}: ${response.status} ${text}`);
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

/** A body that says it comes from another node than the one asked is refused (two members behind one URL). */
function fromPeer<T extends { nodeId: string }>(peer: Peer, body: T): T {
  if (body?.nodeId?.toLowerCase() !== peer.nodeId.toLowerCase())
    throw new StorageError(
      'STORAGE_UNAVAILABLE',
      `${peer.host} answered as ${String(body?.nodeId)}, not ${peer.nodeId}`,
    );
  return body;
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
