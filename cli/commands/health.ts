import type { Command } from 'commander';
import type { HealthReport } from '../../shared/health';
import type { Member } from '../../shared/membership/types';
import { NodeClient, networkReason } from '../client';
import { contextOf, withCommonOptions } from '../context';
import { EXIT } from '../exit-codes';
import { fetchNodes } from '../members';
import { ago, formatSeconds } from '../output';

/** A member's own `/storage/health` has this long to answer. */
const HEALTH_TIMEOUT_MS = 3000;

interface NodeHealth {
  nodeId: string;
  host: string;
  healthy: boolean;
  /** Why not, in a few words; absent when healthy. */
  problem?: string;
  report?: HealthReport;
}

export function registerHealth(program: Command): void {
  withCommonOptions(
    program
      .command('health')
      .description('every member, one line each; exits 1 when any is unhealthy')
      .addHelpText(
        'after',
        `
A member is healthy when the node asked counts it healthy (a fresh heartbeat) and its own
GET /storage/health answers 200. A member that left (stopped) counts as unhealthy.

Examples:
  storage health
  storage health --json | jq '.nodes[] | select(.healthy | not)'`,
      ),
  ).action(async (_options: unknown, command: Command) => {
    const { client, out } = contextOf(command);
    const answer = await fetchNodes(client);
    const nodes = await Promise.all(answer.nodes.map((m) => healthOf(m)));
    const healthy = nodes.every((n) => n.healthy);
    if (out.json) out.data({ healthy, asked: answer.self, nodes });
    else {
      for (const n of nodes) {
        const mark = n.healthy ? out.color.green('✓ healthy  ') : out.color.red('✗ unhealthy');
        const detail = n.healthy
          ? `nats ${n.report?.nats}, up ${formatSeconds(n.report?.uptimeSeconds ?? 0)}, v${n.report?.version}, ${n.report?.storage.driver}`
          : (n.problem ?? '');
        out.line(`${mark} ${n.nodeId}  ${n.host}  ${detail}`);
      }
      out.line(`${nodes.filter((n) => n.healthy).length} of ${nodes.length} healthy`);
    }
    process.exitCode = healthy ? EXIT.ok : EXIT.problem;
  });
}

async function healthOf(member: Member): Promise<NodeHealth> {
  const base = { nodeId: member.nodeId, host: member.host };
  if (!member.healthy) {
    const when = ago(new Date(member.seenAt).toISOString());
    return {
      ...base,
      healthy: false,
      problem: member.leaving ? `left (stopped), last heartbeat ${when}` : `no heartbeat since ${when}`,
    };
  }
  try {
    const res = await fetch(NodeClient.of(member.host).url('/health'), {
      signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS),
    });
    const report = (await res.json()) as HealthReport;
    if (res.ok && report.healthy) return { ...base, healthy: true, report };
    return {
      ...base,
      healthy: false,
      report,
      problem: `its health answers ${res.status}: nats ${report.nats}`,
    };
  } catch (err) {
    return { ...base, healthy: false, problem: `its /storage/health did not answer: ${networkReason(err)}` };
  }
}
