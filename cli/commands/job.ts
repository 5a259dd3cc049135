import type { Command } from 'commander';
import type { Job } from '../../shared/jobs/types';
import { isValidId } from '../../shared/placement/mod';
import { contextOf, withCommonOptions } from '../context';
import { EXIT, usageError } from '../exit-codes';
import { fetchNodes, hostsById } from '../members';
import { ago, formatBytes } from '../output';
import { statusText } from '../job-table';

/** `GET /storage/job-results/:id`: per result, where it is and where it belongs. */
export interface JobResultPlacement {
  shard: string;
  fileName: string;
  size: number;
  sha256: string;
  contentType: string;
  nodes: string[];
  owners: string[];
}

export function registerJob(program: Command): void {
  withCommonOptions(
    program
      .command('job')
      .description('one job: its state, its results and where each copy is')
      .argument('<id>', 'job id (25 characters)')
      .addHelpText('after', '\nExample:\n  storage job cmwv5cl2t0jvw15fqqufat7tu'),
  ).action(async (id: string, _options: unknown, command: Command) => {
    const { client, out } = contextOf(command);
    if (!isValidId(id))
      throw usageError(`not a job id: ${JSON.stringify(id)} (25 lower-case letters and digits)`);
    const job = await client.json<Job>(`/jobs/${id}`);
    const results = await client.json<JobResultPlacement[]>(`/job-results/${id}`);
    if (out.json) {
      out.data({ job, results });
    } else {
      const hosts = await fetchNodes(client, 3000).then(hostsById, () => new Map<string, string>());
      const name = (nodeId: string) => hosts.get(nodeId) ?? nodeId;
      out.line(`job ${job.id}  ${statusText(job, out)}  ${job.template}`);
      out.line(`  created ${job.created_at} (${ago(job.created_at)})`);
      if (job.started_at) out.line(`  started ${job.started_at}`);
      if (job.finished_at) out.line(`  finished ${job.finished_at}`);
      if (job.status === 'in_progress') out.line(`  transcode ${Math.floor(job.transcode_progress * 100)}%`);
      if (job.error) out.line(`  error: ${out.color.red(job.error)}`);
      out.table(
        ['result', 'size', 'sha256', 'shard', 'owners (rank order; ✓ holds it)', 'other holders'],
        results.map((r) => [
          r.fileName,
          formatBytes(r.size),
          r.sha256,
          r.shard,
          r.owners
            .map((o) => `${r.nodes.includes(o) ? out.color.green('✓') : out.color.red('✗')} ${name(o)}`)
            .join('  '),
          r.nodes
            .filter((n) => !r.owners.includes(n))
            .map(name)
            .join(' '),
        ]),
      );
    }
    process.exitCode = job.status === 'error' ? EXIT.problem : EXIT.ok;
  });
}
