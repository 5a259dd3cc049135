import { randomBytes, randomUUID } from 'node:crypto';
import { addAbortSignal, type Readable } from 'node:stream';
import { ClientSecretCredential, DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import {
  BlobServiceClient,
  StorageSharedKeyCredential,
  type BlockBlobClient,
  type ContainerListBlobFlatSegmentResponse,
  type ContainerClient,
  type StoragePipelineOptions,
} from '@azure/storage-blob';
import { StorageError } from '../errors';
import { hashBody, writtenInfo } from './body';
import { normaliseSha256 } from './digest';
import { assertValidKey, assertValidPrefix, pageLimit, RESERVED_PREFIX } from './keys';
import { assertValidRange, checkServedRange, parseContentRange } from './range';
import type { BlobInfo, BlobRead, BlobStore, GetOptions, ListOptions, ListPage, PutOptions } from './types';
import { displayUrl, type AzureUrl } from './url';

/**
 * `azblob://container` — the official @azure/storage-blob client.
 *
 * Writes: a body up to one block is a single Put Blob; a larger one is staged block by block
 * (bounded memory: BLOCK_SIZE × STAGE_CONCURRENCY) and made visible by one Put Block List that
 * also sets the sha256 metadata, which we know by then. Staged blocks are invisible, so a digest
 * mismatch, a failing body or an abort leaves no blob (Azure discards uncommitted blocks).
 * Two large writers racing on one key: the first commit discards the other's staged blocks, so
 * the other fails cleanly (STORAGE_UNAVAILABLE) — never a mix.
 *
 * Copy is not offered: Copy Blob is asynchronous (a pending state to poll) and cross-account
 * sources need a SAS; callers stream instead (abilities.copy = false).
 */

const BLOCK_SIZE = 4 * 1024 * 1024;
const STAGE_CONCURRENCY = 4;
const META_SHA256 = 'sha256';

export async function createAzureStore(url: AzureUrl, env: NodeJS.ProcessEnv): Promise<AzureBlobStore> {
  const service = serviceClient(url, env);
  return new AzureBlobStore(url, service.getContainerClient(url.container), describeAuth(env));
}

const PIPELINE: StoragePipelineOptions = { retryOptions: { maxTries: 3 } };

/** Standard Azure variables, in the order gocloud.dev's azureblob reads them. */
function serviceClient(url: AzureUrl, env: NodeJS.ProcessEnv): BlobServiceClient {
  if (env.AZURE_STORAGE_CONNECTION_STRING) {
    try {
      return BlobServiceClient.fromConnectionString(env.AZURE_STORAGE_CONNECTION_STRING, PIPELINE);
    } catch (err) {
      throw new StorageError(
        'BAD_CONFIG',
        `azblob: AZURE_STORAGE_CONNECTION_STRING is not valid (${(err as Error).message})`,
        { cause: err },
      );
    }
  }
  const account = env.AZURE_STORAGE_ACCOUNT;
  if (!account) {
    throw new StorageError(
      'BAD_CONFIG',
      `azblob://${url.container}: no account; set AZURE_STORAGE_ACCOUNT (with AZURE_STORAGE_KEY, or AZURE_CLIENT_ID/AZURE_CLIENT_SECRET/AZURE_TENANT_ID) or AZURE_STORAGE_CONNECTION_STRING`,
    );
  }
  const endpoint = `https://${account}.${env.AZURE_STORAGE_DOMAIN || 'blob.core.windows.net'}`;
  if (env.AZURE_STORAGE_KEY) {
    return new BlobServiceClient(
      endpoint,
      new StorageSharedKeyCredential(account, env.AZURE_STORAGE_KEY),
      PIPELINE,
    );
  }
  return new BlobServiceClient(endpoint, tokenCredential(env), PIPELINE);
}

function tokenCredential(env: NodeJS.ProcessEnv): TokenCredential {
  const parts = {
    AZURE_CLIENT_ID: env.AZURE_CLIENT_ID,
    AZURE_CLIENT_SECRET: env.AZURE_CLIENT_SECRET,
    AZURE_TENANT_ID: env.AZURE_TENANT_ID,
  };
  const given = Object.entries(parts).filter(([, v]) => v);
  if (given.length === 3)
    return new ClientSecretCredential(
      parts.AZURE_TENANT_ID!,
      parts.AZURE_CLIENT_ID!,
      parts.AZURE_CLIENT_SECRET!,
    );
  if (given.length > 0) {
    const missing = Object.keys(parts).filter((k) => !parts[k as keyof typeof parts]);
    throw new StorageError('BAD_CONFIG', `azblob: a service principal needs ${missing.join(' and ')} too`);
  }
  // Managed identity, workload identity or a developer's az login.
  return new DefaultAzureCredential();
}

function describeAuth(env: NodeJS.ProcessEnv): string {
  if (env.AZURE_STORAGE_CONNECTION_STRING) return 'AZURE_STORAGE_CONNECTION_STRING';
  if (env.AZURE_STORAGE_KEY) return `account ${env.AZURE_STORAGE_ACCOUNT} with AZURE_STORAGE_KEY`;
  if (env.AZURE_CLIENT_ID)
    return `account ${env.AZURE_STORAGE_ACCOUNT} with service principal ${env.AZURE_CLIENT_ID}`;
  return `account ${env.AZURE_STORAGE_ACCOUNT} with the default Azure credential chain`;
}

export class AzureBlobStore implements BlobStore {
  readonly scheme = 'azblob' as const;
  readonly displayUrl: string;
  readonly abilities = { copy: false } as const;

  constructor(
    private readonly url: AzureUrl,
    private readonly container: ContainerClient,
    private readonly auth: string,
  ) {
    this.displayUrl = displayUrl(url);
  }

  async check(): Promise<void> {
    try {
      await this.container.getProperties();
    } catch (err) {
      throw this.checkError(err, 'reach');
    }
    const probe = this.container.getBlockBlobClient(`${RESERVED_PREFIX}check/${randomUUID()}`);
    try {
      await probe.upload('probe', 5);
      await probe.deleteIfExists();
    } catch (err) {
      throw this.checkError(err, 'write to');
    }
  }

  async put(key: string, body: Readable, options: PutOptions = {}): Promise<BlobInfo> {
    assertValidKey(key);
    const expected = normaliseSha256(options.sha256);
    const blob = this.container.getBlockBlobClient(key);
    const hashed = hashBody(body, expected, options.size, options.signal);
    const digest = hashed.digest;
    const headers = { blobContentType: options.contentType };
    try {
      const blocks = blockReader(hashed.stream);
      const first = await blocks.next();
      const second = first.done ? undefined : await blocks.next();
      if (first.done || second?.done) {
        // Fits in one block: one Put Blob, atomic by itself.
        const data = first.done ? Buffer.alloc(0) : first.value;
        const metadata = { [META_SHA256]: digest.sha256 };
        await blob.upload(data, data.length, {
          metadata,
          blobHTTPHeaders: headers,
          abortSignal: options.signal,
        });
      } else {
        const ids = await this.stage(blob, prepend([first.value, second!.value], blocks), options.signal);
        await blob.commitBlockList(ids, {
          metadata: { [META_SHA256]: digest.sha256 },
          blobHTTPHeaders: headers,
          abortSignal: options.signal,
        });
      }
      return writtenInfo(key, hashed, options.contentType);
    } catch (err) {
      hashed.stream.destroy();
      throw hashed.error() ?? azureError(err, `put ${key}`);
    }
  }

  async get(key: string, options: GetOptions = {}): Promise<BlobRead | null> {
    assertValidKey(key);
    const range = options.range;
    if (range) assertValidRange(range);
    const blob = this.container.getBlobClient(key);
    let res;
    try {
      const count = range?.end === undefined ? undefined : range.end - range.start + 1;
      res = await blob.download(range?.start ?? 0, count, { abortSignal: options.signal });
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw azureError(err, `get ${key}`);
    }
    const body = res.readableStreamBody as Readable;
    // The client sends no Range header for "from byte 0 to the end": the whole blob is that range.
    const whole = range && range.start === 0 && range.end === undefined && res.contentLength !== undefined;
    const served = whole
      ? { start: 0, end: res.contentLength! - 1, size: res.contentLength! }
      : range
        ? parseContentRange(res.contentRange)
        : undefined;
    const size = served?.size ?? res.contentLength ?? 0;
    if (range) checkServedRange('azblob', key, range, served, size, body);
    if (options.signal) addAbortSignal(options.signal, body);
    return {
      info: {
        key,
        size,
        sha256: res.metadata?.[META_SHA256],
        contentType: res.contentType,
        modified: res.lastModified,
      },
      body,
      range: served ? { start: served.start, end: served.end } : undefined,
    };
  }

  async head(key: string): Promise<BlobInfo | null> {
    assertValidKey(key);
    try {
      const p = await this.container.getBlobClient(key).getProperties();
      return {
        key,
        size: p.contentLength ?? 0,
        sha256: p.metadata?.[META_SHA256],
        contentType: p.contentType,
        modified: p.lastModified,
      };
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw azureError(err, `head ${key}`);
    }
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    assertValidPrefix(prefix);
    const limit = pageLimit(options.limit);
    const marker = options.cursor === undefined ? undefined : decodeMarker(options.cursor);
    try {
      const pages = this.container
        .listBlobsFlat({ prefix: prefix || undefined, includeMetadata: true })
        .byPage({ maxPageSize: limit, continuationToken: marker });
      const page = (await pages.next()).value as ContainerListBlobFlatSegmentResponse | undefined;
      const items: BlobInfo[] = (page?.segment.blobItems ?? [])
        .filter((b) => !b.name.startsWith(RESERVED_PREFIX))
        .map((b) => ({
          key: b.name,
          size: b.properties.contentLength ?? 0,
          sha256: b.metadata?.[META_SHA256],
          contentType: b.properties.contentType,
          modified: b.properties.lastModified,
        }));
      return { items, cursor: page?.continuationToken ? encodeMarker(page.continuationToken) : undefined };
    } catch (err) {
      throw azureError(err, `list ${prefix}`);
    }
  }

  async delete(key: string): Promise<boolean> {
    assertValidKey(key);
    try {
      return (await this.container.getBlobClient(key).deleteIfExists()).succeeded;
    } catch (err) {
      throw azureError(err, `delete ${key}`);
    }
  }

  async copy(from: string, to: string): Promise<BlobInfo> {
    throw new StorageError(
      'UNSUPPORTED_OPERATION',
      `azblob has no synchronous server-side copy (Copy Blob is asynchronous); stream ${from} to ${to} instead`,
    );
  }

  async close(): Promise<void> {
    // The Azure client keeps no connections of its own to release (keep-alive sockets are unref'd).
  }

  /** Stages blocks as they arrive, at most STAGE_CONCURRENCY in flight; returns the ids in order. */
  private async stage(
    blob: BlockBlobClient,
    blocks: AsyncIterator<Buffer>,
    signal?: AbortSignal,
  ): Promise<string[]> {
    // One writer's ids: same length for every block (Azure requires it), unique per writer.
    const writer = randomBytes(12).toString('hex');
    const ids: string[] = [];
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    for (let next = await blocks.next(); !next.done; next = await blocks.next()) {
      const id = Buffer.from(`${writer}-${String(ids.length).padStart(6, '0')}`).toString('base64');
      ids.push(id);
      const data = next.value;
      const p: Promise<void> = blob
        .stageBlock(id, data, data.length, { abortSignal: signal })
        .then(
          () => undefined,
          (err: unknown) => void (failure ??= err),
        )
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= STAGE_CONCURRENCY) await Promise.race(inFlight);
      if (failure) break;
    }
    await Promise.all(inFlight);
    if (failure) throw failure;
    return ids;
  }

  private checkError(err: unknown, action: string): StorageError {
    const where = `azure container "${this.url.container}" (${this.auth})`;
    const status = statusOf(err);
    const code = (err as { code?: string }).code;
    const name = (err as Error).name;
    if (
      name === 'CredentialUnavailableError' ||
      name === 'AuthenticationError' ||
      name === 'AggregateAuthenticationError'
    ) {
      return new StorageError(
        'BAD_CONFIG',
        `cannot ${action} ${where}: no usable Azure credentials (${oneLine((err as Error).message)})`,
        { cause: err },
      );
    }
    if (status === 404) return new StorageError('BAD_CONFIG', `${where} does not exist`, { cause: err });
    if (status === 403 || status === 401) {
      return new StorageError(
        'BAD_CONFIG',
        `cannot ${action} ${where}: access denied (${code ?? status}); check the account key or the role assignment`,
        { cause: err },
      );
    }
    return new StorageError('STORAGE_UNAVAILABLE', `cannot ${action} ${where}: ${describeAzure(err)}`, {
      cause: err,
    });
  }
}

/** Re-chunks a stream into BLOCK_SIZE buffers (the last may be shorter). */
async function* blockReader(stream: Readable): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of stream) {
    let c = chunk as Buffer;
    while (bytes + c.length >= BLOCK_SIZE) {
      const take = BLOCK_SIZE - bytes;
      parts.push(c.subarray(0, take));
      yield Buffer.concat(parts);
      parts = [];
      bytes = 0;
      c = c.subarray(take);
    }
    if (c.length > 0) {
      parts.push(c);
      bytes += c.length;
    }
  }
  if (bytes > 0) yield Buffer.concat(parts);
}

async function* prepend(first: Buffer[], rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield* first;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

// Azure's continuation markers are opaque strings; we wrap them so a cursor from elsewhere is
// VALIDATION_FAILED here instead of an odd 400 from the service.
const MARKER_TAG = 'az1.';

function encodeMarker(marker: string): string {
  return MARKER_TAG + Buffer.from(marker).toString('base64url');
}

function decodeMarker(cursor: string): string {
  const body = cursor.startsWith(MARKER_TAG) ? cursor.slice(MARKER_TAG.length) : '';
  const marker = Buffer.from(body, 'base64url').toString();
  if (!body || encodeMarker(marker) !== cursor) {
    throw new StorageError(
      'VALIDATION_FAILED',
      `list cursor ${JSON.stringify(cursor)} was not made by this store`,
    );
  }
  return marker;
}

function statusOf(err: unknown): number | undefined {
  return (err as { statusCode?: number } | undefined)?.statusCode;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function describeAzure(err: unknown): string {
  const e = err as Error & { code?: string };
  const status = statusOf(err);
  return oneLine(`${e.code ?? e.name}${status ? ` (HTTP ${status})` : ''}: ${e.message.split('\n')[0]}`);
}

function azureError(err: unknown, what: string): unknown {
  if (err instanceof StorageError || (err as Error | undefined)?.name === 'AbortError') return err;
  if (statusOf(err) === 416) {
    return new StorageError('RANGE_NOT_SATISFIABLE', `azblob ${what}: the range is outside the blob`, {
      cause: err,
    });
  }
  return new StorageError('STORAGE_UNAVAILABLE', `azblob ${what}: ${describeAzure(err)}`, { cause: err });
}
