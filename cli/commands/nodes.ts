import type { Command } from 'commander';
import type { Member } from '../../shared/membership/types';
import { contextOf, withCommonOptions } from '../context';
import { fetchNodes } from '../members';
import { ago, formatBytes, type Output } from '../output';

export function registerNodes(program: Command): void {
  withCommonOptions(
    program
      .command('nodes')
      .description('the members as the node sees them: health, heartbeat, storage, shards, ring fingerprint')
      .addHelpText('after', '\nExample:\n  storage nodes --node http://127.0.0.1:9925'),
  ).action(async (_options: unknown, command: Command) => {
    const { client, out } = contextOf(command);
    const answer = await fetchNodes(client);
    if (out.json) return out.data(answer);
    out.line(
      `${answer.nodes.length} members as ${answer.self} sees them · its ring ${answer.ringFingerprint.slice(0, 12)}`,
    );
    out.table(
      ['node', 'host', 'state', 'heartbeat', 'version', 'used / capacity', 'shards', 'ring'],
      answer.nodes.map((m) => [
        m.nodeId === answer.self ? `${m.nodeId} *` : m.nodeId,
        m.host,
        stateOf(m, out),
        ago(new Date(m.seenAt).toISOString()),
        m.version,
        `${formatBytes(m.used)} / ${m.capacity ? formatBytes(m.capacity) : '?'}`,
        m.shardCount,
        m.ringFingerprint === answer.ringFingerprint
          ? m.ringFingerprint.slice(0, 12)
          : out.color.red(`${m.ringFingerprint.slice(0, 12)} ≠`),
      ]),
    );
  });
}

export function stateOf(m: Member, out: Output): string {
  if (m.healthy) return out.color.green('healthy');
  return out.color.red(m.leaving ? 'left' : 'unhealthy');
}
