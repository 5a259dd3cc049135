import type { Command } from 'commander';
import { DEFAULT_NODE_URL, resolveNodeUrl } from './node-url';
import { NodeClient } from './client';
import { createOutput, type Output } from './output';

export interface GlobalOptions {
  node?: string;
  json?: boolean;
}

export interface Context {
  client: NodeClient;
  out: Output;
}

/**
 * `--node` and `--json`, on every command (not on the program: the archiver's commands pass
 * every option through untouched, so the program parses only what precedes a command).
 */
export function withCommonOptions(command: Command): Command {
  return command
    .option('-n, --node <url>', `node to talk to (default: $STORAGE_NODE_URL, else ${DEFAULT_NODE_URL})`)
    .option('--json', 'machine output: one JSON document (JSON lines with --watch)');
}

/** The node and output every command works with, from its common options. */
export function contextOf(command: Command): Context {
  const options = command.optsWithGlobals<GlobalOptions>();
  return { client: new NodeClient(resolveNodeUrl(options.node)), out: createOutput(options) };
}

/** Runs `tasks` with at most `limit` at once, in order of start; resolves with every result. */
export async function mapLimit<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
