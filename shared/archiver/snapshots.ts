import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import type { BlobStore } from '../blob';
import { ArchiverError } from './errors';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_VERSION,
  MARKER,
  SNAPSHOTS,
  idOfManifestKey,
  manifestKey,
  parseSnapshotId,
} from './layout';
import { parseManifest, type Manifest } from './manifest';
import type { Archive } from './stores';

export interface SnapshotRef {
  id: string;
  time: Date;
  node: string;
}

/**
 * Makes sure the archive is ours. An empty folder becomes an archive when `create` (BACKUP);
 * a folder holding anything else is refused, so a typo never mixes backups into foreign data.
 */
export async function openArchiveFolder(archive: Archive, create: boolean): Promise<void> {
  const { store, root } = archive;
  const marker = await store.get(`${root}${MARKER}`);
  if (marker) {
    const body = await text(marker.body);
    let parsed: { format?: unknown; version?: unknown } | undefined;
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      parsed = undefined;
    }
    if (parsed?.format !== ARCHIVE_FORMAT)
      throw new ArchiverError(
        'badArchive',
        `${archive.display} holds something other than storage backups (${MARKER} is not ours)`,
      );
    if (parsed.version !== ARCHIVE_VERSION)
      throw new ArchiverError(
        'badArchive',
        `${archive.display} is archive format version ${String(parsed.version)}; this archiver reads ${ARCHIVE_VERSION}`,
      );
    return;
  }
  const other = await store.list(root, { limit: 1 });
  if (other.items.length > 0)
    throw new ArchiverError(
      'badArchive',
      `${archive.display} holds something other than storage backups (${other.items[0].key}, and no ${MARKER}); use an empty bucket or folder`,
    );
  if (!create) throw new ArchiverError('badArchive', `${archive.display} holds no backups (no ${MARKER})`);
  const body = JSON.stringify({
    format: ARCHIVE_FORMAT,
    version: ARCHIVE_VERSION,
    created_at: new Date().toISOString(),
  });
  await store.put(`${root}${MARKER}`, Readable.from([Buffer.from(body)]), {
    contentType: 'application/json',
  });
}

/** Every whole snapshot, oldest first. Only published manifests exist, so none is partial. */
export async function listSnapshots(archive: Archive): Promise<SnapshotRef[]> {
  const refs: SnapshotRef[] = [];
  for await (const info of listAll(archive.store, `${archive.root}${SNAPSHOTS}`)) {
    const id = idOfManifestKey(archive.root, info.key);
    const parsed = id && parseSnapshotId(id);
    if (id && parsed) refs.push({ id, ...parsed });
  }
  return refs.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** `latest`, a full id, or an unambiguous prefix of one. */
export async function resolveSnapshot(
  archive: Archive,
  selector: string,
  node?: string,
): Promise<SnapshotRef> {
  const all = (await listSnapshots(archive)).filter((s) => !node || s.node === node);
  if (all.length === 0)
    throw new ArchiverError(
      'badArchive',
      `${archive.display} has no snapshots${node ? ` of node ${node}` : ''}`,
    );
  if (selector === 'latest') return all[all.length - 1];
  const matches = all.filter((s) => s.id.startsWith(selector));
  if (matches.length === 1) return matches[0];
  if (matches.length === 0)
    throw new ArchiverError(
      'badArchive',
      `no snapshot ${JSON.stringify(selector)} in ${archive.display} (LIST shows them)`,
    );
  throw new ArchiverError(
    'usage',
    `snapshot ${JSON.stringify(selector)} is ambiguous: ${matches.length} ids start with it`,
  );
}

export async function readManifest(archive: Archive, id: string): Promise<Manifest> {
  const read = await archive.store.get(manifestKey(archive.root, id));
  if (!read) throw new ArchiverError('badArchive', `no snapshot ${id} in ${archive.display}`);
  return parseManifest(await text(read.body), id);
}

/** One put of the final name, after every object it names exists: the snapshot appears whole. */
export async function publishManifest(archive: Archive, manifest: Manifest): Promise<void> {
  const body = Buffer.from(JSON.stringify(manifest));
  await archive.store.put(manifestKey(archive.root, manifest.id), Readable.from([body]), {
    contentType: 'application/json',
    size: body.length,
  });
}

export async function deleteManifest(archive: Archive, id: string): Promise<void> {
  await archive.store.delete(manifestKey(archive.root, id));
}

/** Every item under `prefix`, page by page. */
export async function* listAll(store: BlobStore, prefix: string, options: { details?: boolean } = {}) {
  let cursor: string | undefined;
  do {
    const page = await store.list(prefix, { ...options, cursor, limit: 1000 });
    yield* page.items;
    cursor = page.cursor;
  } while (cursor);
}
