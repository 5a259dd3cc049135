import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { headers, nuid } from '@nats-io/transport-node';
import { JsHeaders } from '@nats-io/jetstream';
import type { ObjectInfo, ObjectStore } from '@nats-io/obj';
import type { Nats } from './connection';
import { retryNats } from './retry';

export interface PutMeta {
  name: string;
  description?: string;
  maxChunkBytes: number;
}

/**
 * Writes an object in the object store's own layout (chunks under `$O.<bucket>.C.<nuid>`,
 * then the metadata under `$O.<bucket>.M.<name>` with a subject rollup) — the layout
 * `ObjectStore.put` writes and every reader understands — but each publish is retried
 * through transient JetStream faults (issue 15: a NATS server killed mid-upload made the
 * client's put fail on one lost ack). Each publish carries a message id (`<nuid>.<n>`), so a
 * retried chunk whose first ack was lost is dropped by the stream's duplicate window instead
 * of being stored twice. On failure the chunks written so far are purged; the object never
 * becomes visible without its metadata. Returns the info and the hex SHA-256 of the body.
 */
export async function putObject(
  nats: Nats,
  store: ObjectStore,
  bucket: string,
  meta: PutMeta,
  body: Readable,
): Promise<{ info: ObjectInfo; sha256: string }> {
  const previous = await retryNats(nats.retry, `read ${bucket}/${meta.name}`, () => store.info(meta.name));
  const id = nuid.next();
  const chunkSubject = `$O.${bucket}.C.${id}`;
  const maxChunk = Math.min(meta.maxChunkBytes, nats.nc.info?.max_payload ?? meta.maxChunkBytes);
  const hash = createHash('sha256');
  let chunks = 0;
  let size = 0;
  const publishChunk = async (payload: Buffer) => {
    const seq = chunks++;
    size += payload.length;
    hash.update(payload);
    await retryNats(nats.retry, `write ${bucket}/${meta.name}`, () =>
      nats.js.publish(chunkSubject, payload, { msgID: `${id}.${seq}` }),
    );
  };
  try {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    for await (const data of body) {
      pending.push(data as Buffer);
      pendingBytes += (data as Buffer).length;
      while (pendingBytes >= maxChunk) {
        const all = Buffer.concat(pending);
        await publishChunk(all.subarray(0, maxChunk));
        pending = [all.subarray(maxChunk)];
        pendingBytes = all.length - maxChunk;
      }
    }
    if (pendingBytes > 0) await publishChunk(Buffer.concat(pending));
    const hex = hash.digest('hex');
    const info = {
      bucket,
      nuid: id,
      size,
      chunks,
      name: meta.name,
      description: meta.description ?? '',
      options: { max_chunk_size: maxChunk },
      mtime: new Date().toISOString(),
      digest: 'SHA-256=' + Buffer.from(hex, 'hex').toString('base64url').padEnd(44, '='),
      deleted: false,
    };
    const h = headers();
    h.set(JsHeaders.RollupHdr, JsHeaders.RollupValueSubject);
    const ack = await retryNats(nats.retry, `write ${bucket}/${meta.name}`, () =>
      nats.js.publish(metaSubject(bucket, meta.name), JSON.stringify(info), {
        headers: h,
        msgID: `${id}.meta`,
      }),
    );
    // The new object is live: what an earlier put of the same name left is garbage now.
    if (previous && !previous.deleted) await purge(nats, bucket, previous.nuid);
    return { info: { ...info, revision: ack.seq } as ObjectInfo, sha256: hex };
  } catch (err) {
    await purge(nats, bucket, id);
    throw err;
  }
}

/** The object store's metadata subject: the name in URL-safe base64 with padding (its btoa). */
function metaSubject(bucket: string, name: string): string {
  return `$O.${bucket}.M.${Buffer.from(name, 'latin1').toString('base64').replace(/\+/g, '-').replace(/\//g, '_')}`;
}

/** Best effort: chunks a purge misses expire with the store's TTL. */
async function purge(nats: Nats, bucket: string, id: string): Promise<void> {
  await retryNats(nats.retry, `purge ${bucket} chunks`, () =>
    nats.jsm.streams.purge(`OBJ_${bucket}`, { filter: `$O.${bucket}.C.${id}` }),
  ).catch(() => undefined);
}
