import { parseFileName, shardOfId } from '../placement/mod';
import type { HolderMemo } from '../read-cache/holder-memo';
import type { JobDeps } from './deps';

/**
 * Where else to read `fileName` (DESIGN §5): a healthy node the job record says holds it,
 * best ranked first; failing that, a healthy owner of its shard. null when there is none.
 * With `memo` (the read path's), the job record is read at most once per name every few seconds.
 */
export async function otherHolder(
  s: JobDeps,
  fileName: string,
  memo?: HolderMemo,
): Promise<{ nodeId: string; host: string } | null> {
  const parsed = parseFileName(fileName);
  if (!parsed) return null;
  const owners = s.membership.ring().owners(shardOfId(parsed.id, s.config.shardLength));
  const load = async () =>
    (await s.jobs.get(parsed.id))?.results.find((r) => r.name === fileName)?.nodes ?? [];
  const recorded = await (memo ? memo.recorded(fileName, load) : load());
  const ranked = [
    ...owners.filter((o) => recorded.includes(o)),
    ...recorded.filter((n) => !owners.includes(n)),
    ...owners,
  ];
  for (const nodeId of ranked) {
    if (nodeId === s.identity.address) continue;
    const member = s.membership.get(nodeId);
    if (member?.healthy) return { nodeId, host: member.host };
  }
  return null;
}
