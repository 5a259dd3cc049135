import { randomBytes, randomUUID } from 'node:crypto';
import { constants as fsc, createWriteStream, type Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { addAbortSignal, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StorageError } from '../errors';
import { compareKeys, mapLimit, NamedLock } from './concurrency';
import { decodeCursor, encodeCursor } from './cursor';
import { DigestStream, normaliseSha256 } from './digest';
import { assertValidKey, assertValidPrefix, pageLimit, RESERVED_PREFIX } from './keys';
import { resolveRange } from './range';
import type {
  BlobInfo,
  BlobRead,
  BlobStore,
  GetOptions,
  ListOptions,
  ListPage,
  PutOptions,
  SmallRead,
} from './types';

/**
 * `file:///dir` — one file per key, at `<dir>/<key>`, so operators can see and back up plain files.
 *
 * Atomic writes: data and a metadata sidecar (`<dir>/.blob-meta/<key>.json`: size, sha256, content
 * type and the data file's inode and mtime) are written under `<dir>/.blob-tmp/`, fsynced, then
 * renamed into place — metadata first, data last, so the data rename is the commit point and no
 * reader ever sees a partial file. The sidecar names the inode it describes: after a crash between
 * the two renames (or a foreign writer) the pair disagrees, and `head` then reports size and time
 * but no digest rather than a wrong one.
 *
 * Limits (file systems are not object stores): a key cannot be both an object and a "directory"
 * (`a` and `a/b`); one process owns a directory at a time (opening it discards other processes'
 * in-flight temp files, which fails those writes — never corrupts them).
 */

const TMP_DIR = `${RESERVED_PREFIX}tmp`;
const META_DIR = `${RESERVED_PREFIX}meta`;
// Names this process's temp files, so opening a second store in the same process spares them.
const PROCESS_TOKEN = `${process.pid}-${randomBytes(4).toString('hex')}`;
const commits = new NamedLock();
/** A sidecar is about 150 bytes (a long content type makes it longer). */
const SIDECAR_READ_BYTES = 2048;

interface Sidecar {
  v: 1;
  size: number;
  sha256: string;
  contentType?: string;
  ino: number;
  mtimeMs: number;
}

export async function openFileStore(root: string): Promise<FileBlobStore> {
  await prepareRoot(root);
  return new FileBlobStore(root);
}

async function prepareRoot(root: string): Promise<void> {
  try {
    await fs.mkdir(path.join(root, TMP_DIR), { recursive: true });
    await fs.mkdir(path.join(root, META_DIR), { recursive: true });
  } catch (err) {
    throw new StorageError(
      'BAD_CONFIG',
      `file store ${root}: cannot create the directory (${errCode(err)})`,
      {
        cause: err,
      },
    );
  }
  await removeStrayTemps(root);
}

/** Temp files of a crashed writer (or of another process, see the class comment) are never data. */
async function removeStrayTemps(root: string): Promise<void> {
  const dir = path.join(root, TMP_DIR);
  for (const name of await fs.readdir(dir)) {
    if (!name.startsWith(`${PROCESS_TOKEN}.`))
      await fs.rm(path.join(dir, name), { force: true, recursive: true });
  }
}

export class FileBlobStore implements BlobStore {
  readonly scheme = 'file' as const;
  readonly displayUrl: string;
  readonly abilities = { copy: true } as const;

  constructor(readonly root: string) {
    this.displayUrl = `file://${root}`;
  }

  async check(): Promise<void> {
    const probe = this.tempPath('check');
    try {
      await writeSynced(probe, 'probe');
    } catch (err) {
      const code = errCode(err);
      const kind = code === 'ENOSPC' || code === 'EDQUOT' ? 'DISK_FULL' : 'BAD_CONFIG';
      throw new StorageError(kind, `file store ${this.root} is not writable (${code})`, { cause: err });
    } finally {
      // A probe cut short by a full disk is created empty: it must not stay behind.
      await fs.rm(probe, { force: true });
    }
  }

  async put(key: string, body: Readable, options: PutOptions = {}): Promise<BlobInfo> {
    assertValidKey(key);
    const expected = normaliseSha256(options.sha256);
    const dataTmp = this.tempPath('data');
    const metaTmp = this.tempPath('meta');
    try {
      const written = await this.writeTemp(dataTmp, body, expected, options);
      const sidecar: Sidecar = { v: 1, ...written, contentType: options.contentType };
      await writeSynced(metaTmp, JSON.stringify(sidecar));
      await this.commit(key, dataTmp, metaTmp);
      return {
        key,
        size: written.size,
        sha256: written.sha256,
        contentType: options.contentType,
        modified: new Date(written.mtimeMs),
      };
    } catch (err) {
      throw fsError(err, `put ${key}`);
    } finally {
      await Promise.all([fs.rm(dataTmp, { force: true }), fs.rm(metaTmp, { force: true })]);
    }
  }

  async get(key: string, options: GetOptions = {}): Promise<BlobRead | null> {
    assertValidKey(key);
    const opened = await this.openData(key);
    if (!opened) return null;
    const { handle, info } = opened;
    try {
      const range = options.range ? resolveRange(options.range, info.size, key) : undefined;
      // Reading through the open handle keeps serving the inode we described even if a writer
      // renames a new version over the key meanwhile.
      const body = handle.createReadStream({
        start: range?.start,
        end: range?.end,
        autoClose: true,
        highWaterMark: options.chunkBytes,
      });
      if (options.signal) addAbortSignal(options.signal, body);
      return { info, body, range };
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  async head(key: string): Promise<BlobInfo | null> {
    assertValidKey(key);
    const opened = await this.openData(key);
    if (!opened) return null;
    await opened.handle.close();
    return opened.info;
  }

  async readSmall(key: string, maxBytes: number): Promise<SmallRead | null> {
    assertValidKey(key);
    const opened = await this.openData(key);
    if (!opened) return null;
    const { handle, info } = opened;
    try {
      if (info.size > maxBytes) return { info };
      // Through the handle that was described, like `get`: a rename over the key meanwhile
      // does not mix two versions. Its own allocation: a cache holds exactly these bytes.
      const bytes = Buffer.allocUnsafeSlow(info.size);
      let at = 0;
      while (at < bytes.length) {
        const { bytesRead } = await handle.read(bytes, at, bytes.length - at, at);
        if (bytesRead === 0) throw new StorageError('STORAGE_UNAVAILABLE', `${key} shrank while it was read`);
        at += bytesRead;
      }
      return { info, bytes };
    } catch (err) {
      throw fsError(err, `read ${key}`);
    } finally {
      await handle.close();
    }
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    assertValidPrefix(prefix);
    const limit = pageLimit(options.limit);
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
    const keys: string[] = [];
    for await (const key of this.walk(prefix, after)) {
      keys.push(key);
      if (keys.length > limit) break;
    }
    const more = keys.length > limit;
    const page = keys.slice(0, limit);
    const infos = await mapLimit(page, 16, (key) =>
      options.details === false ? this.stat(key) : this.head(key),
    );
    return {
      items: infos.filter((info): info is BlobInfo => info !== null),
      cursor: more ? encodeCursor(page[page.length - 1]) : undefined,
    };
  }

  /** Key, size and time from one stat (no sidecar): a listing without details. */
  private async stat(key: string): Promise<BlobInfo | null> {
    const stat = await fs.stat(this.dataPath(key)).catch((err: unknown) => {
      if (isMissing(err)) return null;
      throw fsError(err, `read ${key}`);
    });
    return stat?.isFile() ? { key, size: stat.size, modified: stat.mtime } : null;
  }

  async delete(key: string): Promise<boolean> {
    assertValidKey(key);
    return commits.run(this.lockName(key), async () => {
      const removed = await fs.unlink(this.dataPath(key)).then(
        () => true,
        (err: unknown) => {
          if (isMissing(err) || errCode(err) === 'EISDIR' || errCode(err) === 'EPERM') return false;
          throw fsError(err, `delete ${key}`);
        },
      );
      await fs.rm(this.metaPath(key), { force: true });
      return removed;
    });
  }

  /** A local copy re-hashes the source against its recorded digest, so a rotten copy never spreads. */
  async copy(from: string, to: string): Promise<BlobInfo> {
    assertValidKey(to);
    const source = await this.get(from);
    if (!source) throw new StorageError('NOT_FOUND', `copy: no such key ${JSON.stringify(from)}`);
    return this.put(to, source.body, {
      sha256: source.info.sha256,
      size: source.info.size,
      contentType: source.info.contentType,
    });
  }

  async close(): Promise<void> {
    // Nothing is held open between calls.
  }

  localPath(key: string): string {
    assertValidKey(key);
    return this.dataPath(key);
  }

  private tempPath(kind: string): string {
    return path.join(this.root, TMP_DIR, `${PROCESS_TOKEN}.${randomUUID()}.${kind}`);
  }

  private dataPath(key: string): string {
    return path.join(this.root, ...key.split('/'));
  }

  private metaPath(key: string): string {
    return `${path.join(this.root, META_DIR, ...key.split('/'))}.json`;
  }

  private lockName(key: string): string {
    return `${this.root}\0${key}`;
  }

  private async writeTemp(file: string, body: Readable, expected: string | undefined, options: PutOptions) {
    const digest = new DigestStream(expected, options.size);
    // `flush` fsyncs before the stream closes its own descriptor. (A stream on a FileHandle
    // with autoClose off keeps a reference that makes handle.close() wait forever.)
    const out = createWriteStream(file, { flags: 'wx', mode: 0o644, flush: true });
    await pipeline(body, digest, out, { signal: options.signal });
    const stat = await fs.stat(file);
    return { size: digest.size, sha256: digest.sha256, ino: stat.ino, mtimeMs: stat.mtimeMs };
  }

  /** Metadata first, data last: the data rename is the moment the new object exists. */
  private async commit(key: string, dataTmp: string, metaTmp: string): Promise<void> {
    const dataPath = this.dataPath(key);
    const metaPath = this.metaPath(key);
    await mkdirFor(key, dataPath);
    await fs.mkdir(path.dirname(metaPath), { recursive: true });
    await commits.run(this.lockName(key), async () => {
      const existing = await fs.lstat(dataPath).catch(() => null);
      if (existing?.isDirectory()) throw conflict(key);
      await fs.rename(metaTmp, metaPath);
      await fs.rename(dataTmp, dataPath);
    });
    await syncDir(path.dirname(dataPath));
  }

  /** An open handle on the key's data with its info, or null when there is no such object. */
  private async openData(key: string): Promise<{ handle: fs.FileHandle; info: BlobInfo } | null> {
    const handle = await fs.open(this.dataPath(key), 'r').catch((err: unknown) => {
      if (isMissing(err)) return null;
      throw fsError(err, `read ${key}`);
    });
    if (!handle) return null;
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) {
        await handle.close();
        return null;
      }
      let sidecar = await this.readSidecar(key);
      // A mismatch may be a commit of this process between its two renames: wait for it once.
      if (!describes(sidecar, stat))
        sidecar = await commits.run(this.lockName(key), () => this.readSidecar(key));
      const info: BlobInfo = { key, size: stat.size, modified: stat.mtime };
      if (describes(sidecar, stat))
        Object.assign(info, { sha256: sidecar.sha256, contentType: sidecar.contentType });
      return { handle, info };
    } catch (err) {
      await handle.close();
      throw fsError(err, `read ${key}`);
    }
  }

  /**
   * One read into a buffer no sidecar outgrows in practice (three file operations, not
   * readFile's four: every read of a cold file pays them); a longer one is read to its end.
   */
  private async readSidecar(key: string): Promise<Sidecar | null> {
    try {
      const handle = await fs.open(this.metaPath(key), 'r');
      try {
        const buffer = Buffer.allocUnsafe(SIDECAR_READ_BYTES);
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
        // A positioned read leaves the file position at 0: readFile then reads it all.
        const text =
          bytesRead < buffer.length ? buffer.toString('utf8', 0, bytesRead) : await handle.readFile('utf8');
        return JSON.parse(text) as Sidecar;
      } finally {
        await handle.close();
      }
    } catch {
      return null;
    }
  }

  /** Keys under `prefix`, after `after`, in UTF-8 byte order (the order S3, GCS and Azure list in). */
  private async *walk(prefix: string, after: string | undefined): AsyncGenerator<string> {
    const slash = prefix.lastIndexOf('/');
    const startDir = slash < 0 ? '' : prefix.slice(0, slash);
    yield* this.walkDir(startDir, prefix, after);
  }

  private async *walkDir(rel: string, prefix: string, after: string | undefined): AsyncGenerator<string> {
    const entries = await readDir(path.join(this.root, ...(rel ? rel.split('/') : [])));
    const named = entries
      .filter((e) => rel !== '' || !e.name.startsWith(RESERVED_PREFIX))
      .map((e) => ({ entry: e, key: rel ? `${rel}/${e.name}` : e.name }))
      .map((e) => ({ ...e, order: e.entry.isDirectory() ? `${e.key}/` : e.key }))
      .sort((a, b) => compareKeys(a.order, b.order));
    for (const { entry, key, order } of named) {
      if (entry.isDirectory()) {
        if (mayHoldKeys(order, prefix, after)) yield* this.walkDir(key, prefix, after);
      } else if (
        entry.isFile() &&
        key.startsWith(prefix) &&
        (after === undefined || compareKeys(key, after) > 0)
      ) {
        yield key;
      }
    }
  }
}

/** Can a directory whose keys all start with `dir` (ending in `/`) hold a key we still want? */
function mayHoldKeys(dir: string, prefix: string, after: string | undefined): boolean {
  if (!dir.startsWith(prefix) && !prefix.startsWith(dir)) return false;
  // Keys sharing a prefix are contiguous in sort order: if `after` is past the directory's
  // name and not inside it, every key in it comes before `after`.
  return after === undefined || after.startsWith(dir) || compareKeys(dir, after) > 0;
}

function describes(
  sidecar: Sidecar | null,
  stat: { ino: number; size: number; mtimeMs: number },
): sidecar is Sidecar {
  return (
    sidecar !== null &&
    sidecar.ino === stat.ino &&
    sidecar.size === stat.size &&
    sidecar.mtimeMs === stat.mtimeMs
  );
}

async function readDir(dir: string): Promise<Dirent[]> {
  try {
    return await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (isMissing(err)) return [];
    throw fsError(err, `list ${dir}`);
  }
}

async function mkdirFor(key: string, dataPath: string): Promise<void> {
  try {
    await fs.mkdir(path.dirname(dataPath), { recursive: true });
  } catch (err) {
    if (errCode(err) === 'ENOTDIR' || errCode(err) === 'EEXIST') throw conflict(key);
    throw err;
  }
}

function conflict(key: string): StorageError {
  return new StorageError(
    'VALIDATION_FAILED',
    `key ${JSON.stringify(key)} conflicts with an existing key: a file store cannot hold both "a" and "a/…"`,
  );
}

async function writeSynced(file: string, text: string): Promise<void> {
  const handle = await fs.open(file, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o644);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A rename is durable only once its directory is synced (ext4/xfs semantics). */
async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function errCode(err: unknown): string {
  return (err as NodeJS.ErrnoException | undefined)?.code ?? String(err);
}

function isMissing(err: unknown): boolean {
  return errCode(err) === 'ENOENT' || errCode(err) === 'ENOTDIR';
}

/**
 * Our own errors and aborts pass through; a full disk (or quota) is DISK_FULL (507, so a
 * client and repair know to come back later); any other file system failure is
 * STORAGE_UNAVAILABLE.
 */
function fsError(err: unknown, what: string): unknown {
  if (err instanceof StorageError || (err as Error | undefined)?.name === 'AbortError') return err;
  if (
    typeof (err as NodeJS.ErrnoException | undefined)?.code !== 'string' ||
    !(err as NodeJS.ErrnoException).syscall
  ) {
    return err;
  }
  const code = errCode(err);
  const kind = code === 'ENOSPC' || code === 'EDQUOT' ? 'DISK_FULL' : 'STORAGE_UNAVAILABLE';
  return new StorageError(kind, `file store: ${what}: ${code}`, { cause: err });
}
