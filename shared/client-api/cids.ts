import { cidIndex, type CidEntry } from '../cid/cid-index';
import { isCid } from '../cid/cid';
import { StorageError } from '../errors';
import type { Services } from '../runtime/services';

/** The stored file a CID names, from the index every node reads; 400 / 404 otherwise. */
export async function resolveCid(s: Services, cid: unknown): Promise<CidEntry> {
  if (!isCid(cid))
    throw new StorageError('BAD_CID', `${JSON.stringify(String(cid).slice(0, 80))} is not a content id`);
  const entry = await (await cidIndex(s.nats)).get(cid);
  if (!entry) throw new StorageError('CID_NOT_FOUND', `No stored file has content id ${cid}`);
  return entry;
}

/** The read routes of a CID (/content/:cid, /tracks/cidstream/:cid): the CID, a signature, `localOnly`. */
export const cidReadSchema = {
  params: { type: 'object', properties: { cid: { type: 'string', maxLength: 100 } }, required: ['cid'] },
  querystring: { type: 'object', properties: { localOnly: { type: 'boolean' }, signature: {} } },
} as const;
