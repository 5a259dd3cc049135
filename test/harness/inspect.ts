import { connectNats } from '../../shared/nats/connection';
import { BUCKETS } from '../../shared/nats/names';

/**
 * What a node left in NATS, read directly (never asked of the API): objects in its temp
 * stores and job records. Tests use it to show a refused request left nothing behind.
 */
export async function natsLeftovers(
  natsUrls: string[],
  tempBuckets = 2,
): Promise<{ tempObjects: number; tempChunks: number; tempBytes: number; jobs: number }> {
  const n = await connectNats(natsUrls, 'inspect', 1);
  try {
    let tempObjects = 0;
    // Stream bytes, chunks included: an upload cut off half-way must not leave its chunks.
    let tempBytes = 0;
    // Chunk messages alone: a deleted object keeps a small metadata tombstone (its bytes
    // count in tempBytes), never a chunk.
    let tempChunks = 0;
    for (let k = 0; k < tempBuckets; k++) {
      const bucket = BUCKETS.temp(k);
      const store = await n.objm.open(bucket);
      tempObjects += (await store.list()).filter((o) => !o.deleted).length;
      tempBytes += (await n.jsm.streams.info(`OBJ_${bucket}`)).state.bytes;
      const chunks = await n.jsm.streams.info(`OBJ_${bucket}`, { subjects_filter: `$O.${bucket}.C.>` });
      tempChunks += Object.values(chunks.state.subjects ?? {}).reduce((sum, count) => sum + count, 0);
    }
    const kv = await n.kvm.open(BUCKETS.jobs);
    const keys: string[] = [];
    for await (const key of await kv.keys()) keys.push(key);
    const jobs = keys.length;
    return { tempObjects, tempChunks, tempBytes, jobs };
  } finally {
    await n.nc.close();
  }
}
