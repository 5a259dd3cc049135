import { StorageError } from '../errors';
import type { Services } from '../runtime/services';

/** mediorum's host form: lower case, no trailing slash (reference/mediorum.md §1). */
const normalise = (host: string) => host.trim().toLowerCase().replace(/\/+$/, '');

/**
 * The `placementHosts` an upload names (Audius SDK metadata, mediorum's `placement_hosts`:
 * comma separated). mediorum stores such an upload on exactly those hosts and its repair
 * follows them. Here every node derives a file's owners from its shard alone (DESIGN §3), and
 * repair and trim keep each file on exactly its shard's R owners (DESIGN §10): a per-upload
 * list would be undone by the first repair pass, and its copies on non-owners deleted after the
 * grace period. So the list is checked as mediorum checks it — every host a current member,
 * the receiving node among them, else 400 `BAD_PLACEMENT_HOSTS`, so a client gets the refusals
 * it would get from mediorum — and a valid list is then not followed: the upload is placed by
 * its shard, and the node logs that it did so. Returns the hosts named, or null when none.
 */
export function checkPlacementHosts(s: Services, text: string | null | undefined): string[] | null {
  if (!text?.trim()) return null;
  const hosts = text.split(',').map(normalise);
  const members = new Set(s.membership.list().map((m) => normalise(m.host)));
  const strangers = hosts.filter((h) => !members.has(h));
  if (strangers.length > 0)
    throw new StorageError(
      'BAD_PLACEMENT_HOSTS',
      `placementHosts names hosts that are not members of this network: ${strangers.slice(0, 5).join(', ')}`,
    );
  if (!hosts.includes(normalise(s.config.host)))
    throw new StorageError(
      'BAD_PLACEMENT_HOSTS',
      `placementHosts must include the node that receives the upload (${s.config.host})`,
    );
  return hosts;
}
