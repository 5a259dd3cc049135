import type { Command } from 'commander';
import type { RepairStatusAnswer } from '../../shared/weather/types';
import { contextOf, withCommonOptions } from '../context';
import { EXIT } from '../exit-codes';

export function registerRepair(program: Command): void {
  const repair = program.command('repair').description('repair, rebalance and scrub (docs/repair.md)');
  withCommonOptions(repair.command('status'))
    .description(
      "the node's last repair and scrub passes and the files it is pulling now; exits 1 when files are lost",
    )
    .addHelpText('after', '\nExample:\n  storage repair status --node http://127.0.0.1:9925')
    .action(async (_options: unknown, command: Command) => {
      const { client, out } = contextOf(command);
      const answer = await client.json<RepairStatusAnswer>('/repair/status');
      const s = answer.status;
      if (out.json) out.data(answer);
      else {
        out.line(`repair on ${answer.nodeId}: ${s.running ? out.color.cyan('running') : 'idle'}`);
        out.line(
          `  last pass       ${s.lastPassAt ?? 'never'}${s.lastPassSeconds != null ? ` (${s.lastPassSeconds} s, ${s.lastPassRequests} requests)` : ''}`,
        );
        out.line(
          `  under-replicated ${s.underReplicated}   lost ${s.lost ? out.color.red(String(s.lost)) : 0}   pulling ${s.pulling}`,
        );
        out.line(`  pulled ${s.pulled}   deleted ${s.deleted}   quarantined ${s.quarantined}`);
        out.line(`  trimming        ${s.trimBlocked ? `blocked: ${s.trimBlocked}` : 'allowed'}`);
        out.line(
          `  last scrub      ${s.lastScrubAt ?? 'never'}${s.lastScrubSeconds != null ? ` (${s.lastScrubSeconds} s)` : ''}`,
        );
        for (const name of answer.pulling) out.line(`  pulling ${name}`);
      }
      process.exitCode = s.lost > 0 ? EXIT.problem : EXIT.ok;
    });
}
