import type { Command } from 'commander';
import { Ring, type CompactRing } from '../../shared/placement/mod';
import { contextOf, withCommonOptions } from '../context';
import { EXIT } from '../exit-codes';
import type { Output } from '../output';
import { ringReport, type RingReport } from '../ring-views';

export function registerRing(program: Command): void {
  withCommonOptions(
    program
      .command('ring')
      .description("the node's shard → owners table; --diff asks every node and says whether they agree")
      .option(
        '-d, --diff',
        'compare every healthy member’s own ring and healthy set; exits 1 on any difference',
      )
      .addHelpText(
        'after',
        `
Examples:
  storage ring
  storage ring --diff
  storage ring --diff --json | jq .agreement.agree`,
      ),
  ).action(async (options: { diff?: boolean }, command: Command) => {
    const { client, out } = contextOf(command);
    if (!options.diff) {
      const compact = await client.json<CompactRing & { self: string }>('/ring');
      const ring = Ring.fromCompact(compact);
      const summary = {
        self: compact.self,
        fingerprint: compact.fingerprint,
        shardLength: ring.shardLength,
        replicationFactor: ring.replicationFactor,
        shardCount: ring.shardCount,
        nodes: ring.nodes.map((n) => ({ id: n.id, weight: n.weight, shards: ring.shardsOf(n.id).length })),
      };
      if (out.json) return out.data(summary);
      out.line(`ring ${summary.fingerprint} of ${summary.self}`);
      out.line(
        `${summary.shardCount} shards (length ${summary.shardLength}), R = ${summary.replicationFactor}, ${summary.nodes.length} nodes`,
      );
      out.table(
        ['node', 'weight', 'shard replicas'],
        summary.nodes.map((n) => [n.id, n.weight, n.shards]),
      );
      return;
    }
    const report = await ringReport(client);
    if (out.json) out.data(report);
    else printReport(report, out);
    process.exitCode = report.agreement.agree ? EXIT.ok : EXIT.problem;
  });
}

function printReport(report: RingReport, out: Output): void {
  const { agreement } = report;
  const c = out.color;
  const answered = report.views.filter((v) => v.reachable).length;
  if (agreement.agree) {
    const fp = agreement.fingerprints[0]?.fingerprint ?? '';
    out.line(
      `${c.green('agree')}: ${answered} nodes, one ring ${fp.slice(0, 12)}, the same ${agreement.healthySets[0]?.healthy.length ?? 0} healthy members`,
    );
    return;
  }
  out.line(c.red('DISAGREEMENT'));
  if (agreement.fingerprints.length > 1) {
    out.line(`ring fingerprints differ (${agreement.fingerprints.length} rings):`);
    agreement.fingerprints.forEach((g, i) => {
      const diff = report.differences.find((d) => d.fingerprint === g.fingerprint);
      const note =
        i === 0
          ? 'the most common'
          : diff
            ? `${diff.shardsDiffering} of ${diff.shardCount} shards have other owners`
            : '';
      out.line(`  ${g.fingerprint.slice(0, 12)}  ${note}  seen by ${g.viewers.join(', ')}`);
      for (const e of diff?.examples ?? [])
        out.line(`    shard ${e.shard}: ${e.majority.join(',')} vs ${e.these.join(',') || '(none)'}`);
    });
  }
  if (agreement.healthySets.length > 1) {
    out.line(`healthy sets differ (${agreement.healthySets.length} views):`);
    for (const g of agreement.healthySets)
      out.line(`  [${g.healthy.join(', ')}]  seen by ${g.viewers.join(', ')}`);
  }
  for (const v of report.views.filter((x) => !x.reachable))
    out.line(`unreachable: ${v.nodeId} ${v.host} (${v.error})`);
}
