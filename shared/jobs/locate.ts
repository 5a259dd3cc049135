import { parseFileName, shardOfId } from '../placement/mod';
import type { JobDeps } from './deps';

/**
 * Where else to read `fileName` (DESIGN §5): a healthy node the job record says holds it,
 * best ranked first; failing that, a healthy owner of its shard. null when there is none.
 */
export async function otherHolder(
  s: JobDeps,
  fileName: string,
): Promise<{ nodeId: string; host: string } | null> {
  const parsed = parseFileName(fileName);
  if (!parsed) return null;
  const owners = s.membership.ring().owners(shardOfId(parsed.id, s.config.shardLength));
  const job = await s.jobs.get(parsed.id);
  const recorded = job?.results.find((r) => r.name === fileName)?.nodes ?? [];
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
