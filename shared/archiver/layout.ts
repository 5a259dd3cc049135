import { randomBytes } from 'node:crypto';

/**
 * Where things live inside an archive (under its root folder):
 *
 *   archive.json                 marks the folder as ours (format and version)
 *   objects/<aa>/<sha256>        every file's content once, named by its digest, so a file is
 *                                stored once across snapshots and across nodes sharing the archive
 *   snapshots/<id>.json          one manifest per snapshot, written last (a snapshot is whole or absent)
 *   locks/<kind>-<id>.json       a running backup or prune (locks.ts: they exclude each other)
 *
 * Snapshot ids sort by time: `<yyyymmddThhmmss.sssZ>_<node id>_<6 hex>` (the milliseconds keep
 * two runs within one second in order, for keep-last and the next backup's base; ids written
 * without them still parse).
 */
export const ARCHIVE_FORMAT = 'audius-storage-archive';
export const ARCHIVE_VERSION = 1;

export const MARKER = 'archive.json';
export const OBJECTS = 'objects/';
export const SNAPSHOTS = 'snapshots/';
export const LOCKS = 'locks/';
const MANIFEST_SUFFIX = '.json';

const SHA256 = /^[0-9a-f]{64}$/;
const SNAPSHOT_ID = /^(\d{8}T\d{6}(?:\.\d{3})?Z)_([0-9a-zA-Z-]{1,64})_([0-9a-f]{6})$/;

export function isSha256(value: unknown): value is string {
  return typeof value === 'string' && SHA256.test(value);
}

export function objectKey(root: string, sha256: string): string {
  return `${root}${OBJECTS}${sha256.slice(0, 2)}/${sha256}`;
}

/** The digest an object key names, or null for anything else under `objects/`. */
export function shaOfObjectKey(root: string, key: string): string | null {
  const rest = key.slice(root.length + OBJECTS.length);
  const [dir, name, extra] = rest.split('/');
  return extra === undefined && isSha256(name) && dir === name.slice(0, 2) ? name : null;
}

export function manifestKey(root: string, id: string): string {
  return `${root}${SNAPSHOTS}${id}${MANIFEST_SUFFIX}`;
}

/** The snapshot id a manifest key names, or null (a stray file under `snapshots/`). */
export function idOfManifestKey(root: string, key: string): string | null {
  const name = key.slice(root.length + SNAPSHOTS.length);
  if (!name.endsWith(MANIFEST_SUFFIX)) return null;
  const id = name.slice(0, -MANIFEST_SUFFIX.length);
  return SNAPSHOT_ID.test(id) ? id : null;
}

export function newSnapshotId(at: Date, nodeId: string): string {
  const stamp = at.toISOString().replace(/[-:]/g, '');
  const node = nodeId.replace(/[^0-9a-zA-Z-]/g, '-').slice(0, 64) || 'unknown';
  return `${stamp}_${node}_${randomBytes(3).toString('hex')}`;
}

/** Time and node of a snapshot id (both are in the name, so listing needs no reads). */
export function parseSnapshotId(id: string): { time: Date; node: string } | null {
  const m = SNAPSHOT_ID.exec(id);
  if (!m) return null;
  const s = m[1];
  const iso = `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}${s.slice(15)}`;
  return { time: new Date(iso), node: m[2] };
}
