import type { KV } from '@nats-io/kv';
import type { Nats } from '../nats/connection';
import { BUCKETS } from '../nats/names';
import { cidOfSha256 } from './cid';

/** What a CID resolves to: a stored result file and its job. */
export interface CidEntry {
  /** Result file name, `<id>_<variant>.<ext>` (its shard, key and holders follow from it). */
  fileName: string;
  /** Job (upload) id. */
  id: string;
}

/**
 * CID → result file, in KV `cids`, so any node resolves a CID it has never seen (DESIGN §11).
 * Written by the transcode step when a job's results are recorded (before any copy is
 * stored, so a read that finds the entry but no copy answers 404 until the storers finish),
 * and by generate_preview. Identical bytes uploaded twice have one CID; the first upload's
 * file keeps it, and both files hold the same bytes.
 */
export class CidIndex {
  constructor(private readonly kv: KV) {}

  async get(cid: string): Promise<CidEntry | null> {
    const entry = await this.kv.get(cid);
    return entry && entry.operation === 'PUT' ? entry.json<CidEntry>() : null;
  }

  /** Records each file under its CID unless the CID is already known; returns the CIDs. */
  async add(id: string, files: { name: string; sha256: string }[]): Promise<string[]> {
    return Promise.all(
      files.map(async (file) => {
        const cid = cidOfSha256(file.sha256);
        const value = JSON.stringify({ fileName: file.name, id } satisfies CidEntry);
        await this.kv.create(cid, value).catch((err: unknown) => {
          if (!/wrong last sequence|key exists/i.test(String(err))) throw err;
        });
        return cid;
      }),
    );
  }
}

const opened = new WeakMap<Nats, Promise<CidIndex>>();

/** The node's handle on KV `cids` (made once per connection; ensureNatsResources creates the bucket). */
export function cidIndex(nats: Nats): Promise<CidIndex> {
  let pending = opened.get(nats);
  if (!pending) {
    pending = nats.kvm.open(BUCKETS.cids).then((kv) => new CidIndex(kv));
    pending.catch(() => opened.delete(nats));
    opened.set(nats, pending);
  }
  return pending;
}
