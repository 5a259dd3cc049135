import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { addAbortSignal, Readable } from 'node:stream';
import { pipeline as pipelineAsync } from 'node:stream/promises';
import { Storage, type Bucket, type File, type FileMetadata } from '@google-cloud/storage';
import { StorageError } from '../errors';
import { decodeCursor, encodeCursor } from './cursor';
import { hashBody, readUpTo, resume, writtenInfo } from './body';
import { normaliseSha256 } from './digest';
import { assertValidKey, assertValidPrefix, pageLimit, RESERVED_PREFIX } from './keys';
import { resolveRange } from './range';
import type { BlobInfo, BlobRead, BlobStore, GetOptions, ListOptions, ListPage, PutOptions } from './types';
import { displayUrl, type GcsUrl } from './url';

/**
 * `gcs://bucket` (or `gs://bucket`) — the official @google-cloud/storage client; credentials
 * from GOOGLE_APPLICATION_CREDENTIALS (or the other Application Default Credentials sources);
 * STORAGE_EMULATOR_HOST is honoured by the client for emulators.
 *
 * Writes: up to SMALL_LIMIT bytes are buffered and sent as one simple upload with the sha256 in
 * the object's metadata; larger bodies stream through a resumable upload, which GCS makes
 * visible only when it is finalised after the last byte, so a digest mismatch, a failing body or
 * an abort leaves nothing. A resumable upload without an expected digest gets it recorded after
 * finalisation with a metadata patch pinned to our generation (ifGenerationMatch), so it can
 * never land on another writer's object. Reads are pinned to the generation whose metadata we
 * read, so bytes and digest always belong together.
 */

const SMALL_LIMIT = 8 * 1024 * 1024;
const META_SHA256 = 'sha256';

export async function createGcsStore(url: GcsUrl, env: NodeJS.ProcessEnv): Promise<GcsBlobStore> {
  const keyFile = env.GOOGLE_APPLICATION_CREDENTIALS;
  if (keyFile && !existsSync(keyFile)) {
    throw new StorageError('BAD_CONFIG', `gcs: GOOGLE_APPLICATION_CREDENTIALS=${keyFile}: no such file`);
  }
  const storage = new Storage({ keyFilename: keyFile || undefined, retryOptions: { maxRetries: 2 } });
  return new GcsBlobStore(url, storage.bucket(url.bucket));
}

export class GcsBlobStore implements BlobStore {
  readonly scheme = 'gcs' as const;
  readonly displayUrl: string;
  readonly abilities = { copy: true } as const;

  constructor(
    private readonly url: GcsUrl,
    private readonly bucket: Bucket,
  ) {
    this.displayUrl = displayUrl(url);
  }

  async check(): Promise<void> {
    // Listing needs storage.objects.list, which the node needs anyway; bucket.exists() would
    // need storage.buckets.get, which an object-admin service account does not have.
    try {
      await this.bucket.getFiles({ maxResults: 1, autoPaginate: false });
    } catch (err) {
      if (statusOf(err) === 404) {
        throw new StorageError('BAD_CONFIG', `gcs bucket "${this.url.bucket}" does not exist`, {
          cause: err,
        });
      }
      throw this.checkError(err, 'reach');
    }
    const probe = this.bucket.file(`${RESERVED_PREFIX}check/${randomUUID()}`);
    try {
      await probe.save('probe', { resumable: false });
      await probe.delete({ ignoreNotFound: true });
    } catch (err) {
      throw this.checkError(err, 'write to');
    }
  }

  async put(key: string, body: Readable, options: PutOptions = {}): Promise<BlobInfo> {
    assertValidKey(key);
    const expected = normaliseSha256(options.sha256);
    const file = this.bucket.file(key);
    const hashed = hashBody(body, expected, options.size, options.signal);
    const digest = hashed.digest;
    try {
      const head = await readUpTo(hashed.stream, SMALL_LIMIT);
      if (head.ended) {
        const data = Buffer.concat(head.chunks);
        await file.save(data, {
          resumable: false,
          metadata: { contentType: options.contentType, metadata: { [META_SHA256]: digest.sha256 } },
        });
      } else {
        const out = file.createWriteStream({
          resumable: true,
          metadata: {
            contentType: options.contentType,
            metadata: expected ? { [META_SHA256]: expected } : {},
          },
        });
        await pipelineAsync(Readable.from(resume(head), { objectMode: false }), out);
        if (!expected) await this.recordDigest(file, digest.sha256);
      }
      return writtenInfo(key, hashed, options.contentType);
    } catch (err) {
      hashed.stream.destroy();
      throw hashed.error() ?? gcsError(err, `put ${key}`);
    }
  }

  async get(key: string, options: GetOptions = {}): Promise<BlobRead | null> {
    assertValidKey(key);
    const meta = await this.metadata(key);
    if (!meta) return null;
    const info = toInfo(key, meta);
    const range = options.range ? resolveRange(options.range, info.size, key) : undefined;
    // Same generation as the metadata we just read: a concurrent overwrite cannot mix in.
    const file = this.bucket.file(key, { generation: meta.generation });
    const body = file.createReadStream({
      start: range?.start,
      end: range?.end,
      decompress: false,
      validation: range ? false : 'crc32c',
    });
    if (options.signal) addAbortSignal(options.signal, body);
    return { info, body, range };
  }

  async head(key: string): Promise<BlobInfo | null> {
    assertValidKey(key);
    const meta = await this.metadata(key);
    return meta ? toInfo(key, meta) : null;
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    assertValidPrefix(prefix);
    const limit = pageLimit(options.limit);
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
    let files: File[];
    let next: unknown;
    try {
      // startOffset is inclusive: ask for one more and drop the cursor key itself.
      [files, next] = await this.bucket.getFiles({
        prefix: prefix || undefined,
        startOffset: after,
        maxResults: limit + (after === undefined ? 0 : 1),
        autoPaginate: false,
      });
    } catch (err) {
      throw gcsError(err, `list ${prefix}`);
    }
    const listed = files.filter((f) => f.name !== after);
    const page = listed.slice(0, limit);
    const more = listed.length > limit || Boolean(next);
    return {
      items: page.filter((f) => !f.name.startsWith(RESERVED_PREFIX)).map((f) => toInfo(f.name, f.metadata)),
      cursor: more && page.length > 0 ? encodeCursor(page[page.length - 1].name) : undefined,
    };
  }

  async delete(key: string): Promise<boolean> {
    assertValidKey(key);
    try {
      await this.bucket.file(key).delete();
      return true;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw gcsError(err, `delete ${key}`);
    }
  }

  async copy(from: string, to: string): Promise<BlobInfo> {
    assertValidKey(from);
    assertValidKey(to);
    try {
      await this.bucket.file(from).copy(this.bucket.file(to));
    } catch (err) {
      if (statusOf(err) === 404)
        throw new StorageError('NOT_FOUND', `copy: no such key ${JSON.stringify(from)}`);
      throw gcsError(err, `copy ${from} to ${to}`);
    }
    const info = await this.head(to);
    if (!info) throw new StorageError('STORAGE_UNAVAILABLE', `gcs copy ${from} to ${to}: the copy vanished`);
    return info;
  }

  async close(): Promise<void> {
    // The client holds no connections beyond its idle keep-alive agent.
  }

  private async metadata(key: string): Promise<FileMetadata | null> {
    try {
      const [meta] = await this.bucket.file(key).getMetadata();
      return meta;
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw gcsError(err, `head ${key}`);
    }
  }

  private async recordDigest(file: File, sha256: string): Promise<void> {
    const generation = file.metadata.generation;
    if (generation === undefined) return;
    try {
      await file.setMetadata({ metadata: { [META_SHA256]: sha256 } }, { ifGenerationMatch: generation });
    } catch (err) {
      // Another writer finalised a newer generation after ours: its write wins.
      if (statusOf(err) === 412) return;
      throw err;
    }
  }

  private checkError(err: unknown, action: string): StorageError {
    const where = `gcs bucket "${this.url.bucket}"`;
    const status = statusOf(err);
    const message = oneLine((err as Error).message ?? String(err));
    if (/default credentials|could not load|invalid_grant|no key or keyFile/i.test(message)) {
      return new StorageError(
        'BAD_CONFIG',
        `cannot ${action} ${where}: no usable Google credentials; set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file (${message})`,
        { cause: err },
      );
    }
    if (status === 401 || status === 403) {
      return new StorageError(
        'BAD_CONFIG',
        `cannot ${action} ${where}: access denied; check the service account's roles (${message})`,
        { cause: err },
      );
    }
    return new StorageError('STORAGE_UNAVAILABLE', `cannot ${action} ${where}: ${message}`, { cause: err });
  }
}

function toInfo(key: string, meta: FileMetadata): BlobInfo {
  const custom = meta.metadata as Record<string, unknown> | undefined;
  const sha256 = custom?.[META_SHA256];
  return {
    key,
    size: Number(meta.size ?? 0),
    sha256: typeof sha256 === 'string' ? sha256 : undefined,
    contentType: meta.contentType,
    modified: meta.updated ? new Date(meta.updated) : undefined,
  };
}

function statusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function gcsError(err: unknown, what: string): unknown {
  if (err instanceof StorageError || (err as Error | undefined)?.name === 'AbortError') return err;
  if (statusOf(err) === 416)
    return new StorageError('RANGE_NOT_SATISFIABLE', `gcs ${what}: the range is outside the object`, {
      cause: err,
    });
  return new StorageError(
    'STORAGE_UNAVAILABLE',
    `gcs ${what}: ${oneLine((err as Error).message ?? String(err))}`,
    { cause: err },
  );
}
