import type { Readable } from 'node:stream';

/**
 * The one long-term storage contract (DESIGN §6). Keys are `/`-separated relative paths
 * (`0_mkx/<id>_320.mp3`); drivers map them to files, objects or blobs.
 */
export interface BlobInfo {
  key: string;
  /** Bytes. */
  size: number;
  /** Lower-case hex SHA-256 of the content, when the backend recorded it at put time. */
  sha256?: string;
  contentType?: string;
  modified?: Date;
}

export interface PutOptions {
  contentType?: string;
  /** Expected hex SHA-256: a mismatch rejects with DIGEST_MISMATCH semantics and leaves no object. */
  sha256?: string;
  /** Expected size in bytes, when known (lets drivers pick single vs multipart writes). */
  size?: number;
  signal?: AbortSignal;
}

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive; absent means to the end. */
  end?: number;
}

export interface GetOptions {
  range?: ByteRange;
  signal?: AbortSignal;
  /** Preferred read size in bytes, for drivers that read local files (large files stream in fewer, bigger reads). */
  chunkBytes?: number;
}

/** What `get` answers: the whole object's info and a stream of the requested bytes. */
export interface BlobRead {
  /** Info of the whole object (`size` is the object's size, not the range's). */
  info: BlobInfo;
  /** The bytes; consume or destroy it (it holds a file handle or a connection until then). */
  body: Readable;
  /** The bytes `body` carries, inclusive, when a range was asked for (for `Content-Range`). */
  range?: { start: number; end: number };
}

/** What `readSmall` answers: `bytes` only when the object fit. */
export interface SmallRead {
  info: BlobInfo;
  bytes?: Buffer;
}

export interface ListOptions {
  /** Opaque cursor from a previous page. */
  cursor?: string;
  /** Page size; drivers may return fewer. */
  limit?: number;
  /**
   * false: the caller needs only key, size and time (an incremental backup, shared/archiver/).
   * Drivers that learn digest and type per item (file://: a sidecar read; S3: a HEAD) skip
   * that, so a page costs one directory walk or one request; the others ignore it.
   */
  details?: boolean;
}

export interface ListPage {
  items: BlobInfo[];
  /** Present when there are more items. */
  cursor?: string;
}

/** Optional abilities, declared as data (STYLE "what that means here" §1). */
export interface BlobAbilities {
  /** Server-side copy without streaming through the node. */
  copy: boolean;
}

export interface BlobStore {
  readonly scheme: 'file' | 's3' | 'gcs' | 'azblob';
  /** The store URL with any secrets removed, for logs and the health route. */
  readonly displayUrl: string;
  readonly abilities: BlobAbilities;
  /** Reachable, writable, credentials present; throws a StorageError with one clear line. */
  check(): Promise<void>;
  /** Streams `body` in; the object appears whole or not at all. Returns what was written. */
  put(key: string, body: Readable, options?: PutOptions): Promise<BlobInfo>;
  /** `null` when there is no such key. A range past the end rejects with RANGE_NOT_SATISFIABLE. */
  get(key: string, options?: GetOptions): Promise<BlobRead | null>;
  head(key: string): Promise<BlobInfo | null>;
  list(prefix: string, options?: ListOptions): Promise<ListPage>;
  /** true when something was deleted. */
  delete(key: string): Promise<boolean>;
  /**
   * Drivers that keep one plain file per key (file://): the path of a key's data file, so the
   * read path (shared/read-cache/) can serve ranges with one direct read. Absent elsewhere.
   */
  localPath?(key: string): string | undefined;
  /**
   * Drivers that read a local file cheaply (file://): the info and, when the object is at most
   * `maxBytes`, its whole bytes, from one open (the read path's cold small-file read, issue
   * 14). Not verified here: the caller checks them against the digest. null when absent.
   */
  readSmall?(key: string, maxBytes: number): Promise<SmallRead | null>;
  /** Only when `abilities.copy`; otherwise throws UNSUPPORTED_OPERATION. */
  copy(from: string, to: string): Promise<BlobInfo>;
  close(): Promise<void>;
}
