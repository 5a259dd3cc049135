import { mapLimit } from '../blob/concurrency';
import type { Catalog, CatalogEntry } from './catalog';
import type { TrackedBlobStore } from './tracked-store';

/**
 * The catalogued copies of a shard that the store still has with the catalogued size and
 * digest (a stat each, not a re-hash). Trim's fresh check asks owners for this, so a deletion
 * never rests on a catalog entry whose file has gone (a disk emptied under a running node).
 */
export async function stillInStore(
  blob: TrackedBlobStore,
  catalog: Catalog,
  shard: string,
  files: CatalogEntry[],
): Promise<CatalogEntry[]> {
  const present = await mapLimit(files, 16, async (f) => {
    const key = catalog.keyOf(shard, f.name);
    const info = await blob.inner.head(key);
    return (
      info?.size === f.size &&
      info.sha256 === f.sha256 &&
      catalog.get(shard, f.name) === f &&
      !blob.isQuarantined(key)
    );
  });
  return files.filter((_, i) => present[i]);
}
