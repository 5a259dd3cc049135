import type { Agreement, NodeView } from './types';

/**
 * Groups the nodes' own views by ring fingerprint and by healthy set (DESIGN §3: "the
 * weather map shows every node's view side by side, so a disagreement is visible").
 * Largest group first; ties by the smallest viewer id, so the order is stable.
 */
export function compareViews(views: readonly NodeView[]): Agreement {
  const answered = views.filter((v) => v.reachable && v.ringFingerprint !== undefined);
  const fingerprints = groupBy(answered, (v) => v.ringFingerprint as string).map(
    ([fingerprint, viewers]) => ({
      fingerprint,
      viewers,
    }),
  );
  const healthySets = groupBy(answered, (v) => [...(v.healthy ?? [])].sort().join(',')).map(
    ([key, viewers]) => ({
      healthy: key ? key.split(',') : [],
      viewers,
    }),
  );
  const unreachable = views.filter((v) => !v.reachable).map((v) => v.nodeId);
  return {
    agree: fingerprints.length <= 1 && healthySets.length <= 1 && unreachable.length === 0,
    fingerprints,
    healthySets,
    unreachable,
  };
}

function groupBy(views: readonly NodeView[], keyOf: (v: NodeView) => string): [string, string[]][] {
  const groups = new Map<string, string[]>();
  for (const v of views) {
    const key = keyOf(v);
    groups.set(key, [...(groups.get(key) ?? []), v.nodeId]);
  }
  return [...groups]
    .map(([key, viewers]): [string, string[]] => [key, viewers.sort()])
    .sort((a, b) => b[1].length - a[1].length || (a[1][0] < b[1][0] ? -1 : 1));
}
