import { StorageError } from '../errors';
import { parseFileName, shardOfId } from '../placement/mod';

/** Long-term key of a result file (DESIGN §4.3): `<ns>_<shard>/<fileName>`. */
export function longTermKey(namespace: string, shardLength: number, fileName: string): string {
  const parsed = parseFileName(fileName);
  if (!parsed) throw new StorageError('BAD_FILE_NAME', `Not a result file name: ${JSON.stringify(fileName)}`);
  return `${shardPrefix(namespace, shardOfId(parsed.id, shardLength))}${fileName}`;
}

/** `<ns>_<shard>/`: the folder of one shard in a long-term store. */
export function shardPrefix(namespace: string, shard: string): string {
  return `${namespace}_${shard}/`;
}
