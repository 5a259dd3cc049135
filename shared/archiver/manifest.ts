import { ArchiverError } from './errors';
import { isSha256 } from './layout';
import type { EncryptedKey } from './key-export';

/** What a snapshot holds (issue 12): every file with its digest, the job records, who and when. */
export const MANIFEST_FORMAT = 'audius-storage-snapshot';
export const MANIFEST_VERSION = 1;

export interface ManifestFile {
  /** The key in the node's store (`0_abc/<id>_150.jpg`). */
  key: string;
  /** Bytes. */
  size: number;
  /** Lower-case hex SHA-256; the content is at `objects/<aa>/<sha256>`. */
  sha256: string;
  content_type?: string;
  /** When the source last changed it (ISO 8601), for the next backup's quick check. */
  modified?: string;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  version: typeof MANIFEST_VERSION;
  id: string;
  node_id: string;
  software_version: string;
  /** The source store's display URL. */
  source: string;
  started_at: string;
  finished_at: string;
  files: ManifestFile[];
  totals: { files: number; bytes: number };
  /** The node's job records of these files, as one object (JSON) in `objects/`. */
  jobs?: { sha256: string; size: number; count: number };
  /** Only when asked for, and then only encrypted with a passphrase. */
  delegate_key?: EncryptedKey;
  /** Source files that could not be backed up (unreadable, or failing their own digest). */
  skipped: { key: string; reason: string }[];
}

/**
 * Checks a manifest read back from an archive. Anything off (a truncated upload, a hand edit,
 * a foreign file) is named in one line: restore must never act on half a list.
 */
export function parseManifest(text: string, id: string): Manifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ArchiverError(
      'badArchive',
      `snapshot ${id}: the manifest is not valid JSON (truncated or corrupt, ${text.length} bytes)`,
    );
  }
  const m = value as Manifest;
  const bad = (why: string): never => {
    throw new ArchiverError('badArchive', `snapshot ${id}: the manifest is corrupt: ${why}`);
  };
  if (typeof m !== 'object' || m === null) bad('not an object');
  if (m.format !== MANIFEST_FORMAT) bad(`format is ${JSON.stringify(m.format)}, not ${MANIFEST_FORMAT}`);
  if (m.version !== MANIFEST_VERSION)
    bad(`version ${JSON.stringify(m.version)} is not supported (this archiver reads ${MANIFEST_VERSION})`);
  if (m.id !== id) bad(`it names snapshot ${JSON.stringify(m.id)}`);
  for (const field of ['node_id', 'software_version', 'source', 'started_at', 'finished_at'] as const)
    if (typeof m[field] !== 'string') bad(`${field} is missing`);
  if (!Array.isArray(m.files)) bad('files is not a list');
  if (!Array.isArray(m.skipped)) bad('skipped is not a list');
  let bytes = 0;
  m.files.forEach((f, i) => {
    if (typeof f?.key !== 'string' || f.key === '') bad(`files[${i}] has no key`);
    if (!Number.isSafeInteger(f.size) || f.size < 0) bad(`files[${i}] (${f.key}) has a bad size`);
    if (!isSha256(f.sha256)) bad(`files[${i}] (${f.key}) has a bad sha256`);
    bytes += f.size;
  });
  if (m.totals?.files !== m.files.length || m.totals?.bytes !== bytes)
    bad(
      `totals say ${m.totals?.files} files / ${m.totals?.bytes} bytes, the list has ${m.files.length} / ${bytes}`,
    );
  if (m.jobs !== undefined && (!isSha256(m.jobs.sha256) || !Number.isSafeInteger(m.jobs.count)))
    bad('jobs is malformed');
  return m;
}
