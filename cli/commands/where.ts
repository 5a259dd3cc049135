import type { Command } from 'commander';
import { isValidId, parseFileName } from '../../shared/placement/mod';
import { NodeClient, networkReason } from '../client';
import { contextOf, withCommonOptions } from '../context';
import { EXIT, usageError } from '../exit-codes';
import { fetchNodes } from '../members';

/** `GET /storage/placement/:key`. */
interface PlacementAnswer {
  key: string;
  shard: string;
  replicationFactor: number;
  owners: { nodeId: string; host: string | null }[];
}

interface Holding {
  nodeId: string;
  host: string;
  /** Rank among the owners (0 first), null for a node that holds copies it does not own. */
  rank: number | null;
  reachable: boolean;
  error?: string;
  /** The files of the key this node holds: name, size, sha256. */
  files: { name: string; size: number; sha256: string | null }[];
}

export function registerWhere(program: Command): void {
  withCommonOptions(
    program
      .command('where')
      .description('owners of a job id, file name or shard in rank order, and who actually holds it')
      .argument('<key>', 'a job id, a result file name (<id>_<variant>.<ext>) or a shard')
      .addHelpText(
        'after',
        `
Examples:
  storage where cmwv5cl2t0jvw15fqqufat7tu
  storage where cmwv5cl2t0jvw15fqqufat7tu_320.mp3
  storage where tu7

Exits 1 when an owner lacks a copy of a file some node holds (repair will fix it; see
\`storage repair status\`).`,
      ),
  ).action(async (key: string, _options: unknown, command: Command) => {
    const { client, out } = contextOf(command);
    if (!/^[0-9a-z_.]{1,60}$/.test(key))
      throw usageError(`not an id, file name or shard: ${JSON.stringify(key)}`);
    const placement = await client.json<PlacementAnswer>(`/placement/${encodeURIComponent(key)}`);
    const members = await fetchNodes(client);
    const owners = placement.owners.map((o) => o.nodeId);
    const nodes = members.nodes.filter((m) => m.healthy || owners.includes(m.nodeId));
    const matches = matcher(key);
    const holdings = await Promise.all(
      nodes.map(async (m): Promise<Holding> => {
        const rank = owners.indexOf(m.nodeId);
        const base = { nodeId: m.nodeId, host: m.host, rank: rank < 0 ? null : rank };
        try {
          const listing = await NodeClient.of(m.host).json<
            { key: string; size: number; sha256: string | null }[]
          >(`/long-term/shard/${placement.shard}`, { timeoutMs: 5000 });
          const files = listing
            .map((item) => ({
              name: item.key.slice(item.key.lastIndexOf('/') + 1),
              size: item.size,
              sha256: item.sha256,
            }))
            .filter((f) => matches(f.name));
          return { ...base, reachable: true, files };
        } catch (err) {
          return { ...base, reachable: false, error: networkReason(err), files: [] };
        }
      }),
    );
    holdings.sort((a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9));
    const names = [...new Set(holdings.flatMap((h) => h.files.map((f) => f.name)))].sort();
    const missing = holdings.filter(
      (h) => h.rank !== null && names.some((n) => !h.files.some((f) => f.name === n)),
    );
    if (out.json) out.data({ ...placement, holdings });
    else {
      out.line(`${key} → shard ${placement.shard}, R = ${placement.replicationFactor}`);
      out.table(
        ['rank', 'node', 'host', 'holds'],
        holdings.map((h) => [
          h.rank === null ? 'extra' : String(h.rank + 1),
          h.nodeId,
          h.host,
          !h.reachable
            ? out.color.red(`unreachable (${h.error})`)
            : `${h.files.length} of ${names.length} files${h.rank !== null && h.files.length < names.length ? out.color.red(' ✗ missing some') : ''}`,
        ]),
      );
      if (names.length && names.length <= 20) out.line(`files: ${names.join(' ')}`);
    }
    process.exitCode = missing.length ? EXIT.problem : EXIT.ok;
  });
}

/** Which listed names belong to the key: one file, a job's files, or the whole shard. */
function matcher(key: string): (name: string) => boolean {
  if (parseFileName(key)) return (name) => name === key;
  if (isValidId(key)) return (name) => name.startsWith(`${key}_`);
  return () => true;
}
