import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { signDrainRequest } from '../../shared/drain/request';
import type { DrainStatus } from '../../shared/drain/types';
import { identityFromHex, type Identity } from '../../shared/identity/wallet';
import { contextOf, withCommonOptions } from '../context';
import { loadEnvFile } from '../env-file';
import { CliError, EXIT, usageError } from '../exit-codes';
import type { Output } from '../output';

interface DrainAnswer {
  nodeId: string;
  weight: number;
  status: DrainStatus;
}

interface DrainOptions {
  envFile?: string;
  keyFile?: string;
}

/**
 * `storage drain on|off|status` over `POST|GET /storage/drain` (docs/placement.md §Drain).
 * on/off are signed, as the node requires, with its own delegate key (or an operator
 * wallet's key given by --key-file).
 */
export function registerDrain(program: Command): void {
  withCommonOptions(
    program
      .command('drain')
      .argument('<on|off|status>', 'start the drain, end it, or show where it stands')
      .description(
        "a node's drain: it leaves every ring but keeps serving; status says when it is safe to remove",
      )
      .option(
        '--env-file <path>',
        "read the node's settings (AUDIUS_DELEGATE_PRIVATE_KEY, AUDIUS_DATA_DIR) from this file",
      )
      .option(
        '--key-file <path>',
        'sign with the key in this file (hex): the delegate key or an operator wallet',
      )
      .addHelpText(
        'after',
        `
on/off are signed with the node's delegate key: --key-file, else $AUDIUS_DELEGATE_PRIVATE_KEY
(after --env-file), else <$AUDIUS_DATA_DIR or ~/.audius-storage>/delegate.key. An operator
wallet listed in the node's AUDIUS_OPERATOR_WALLETS may sign instead (--key-file).
status exits 0 once the drain is safe to remove (or when not draining), 1 while it is not.

Examples:
  storage drain on --env-file /etc/storage/node.env --node http://127.0.0.1:9925
  storage drain status --node http://127.0.0.1:9925
  storage drain off --key-file ~/operator.key`,
      ),
  ).action(async (what: string, options: DrainOptions, command: Command) => {
    if (!['on', 'off', 'status'].includes(what))
      throw usageError(`drain takes on, off or status (got "${what}")`);
    const { client, out } = contextOf(command);
    if (what !== 'status') {
      const key = signingKey(options);
      const { nodeId } = await client.json<DrainAnswer>('/drain');
      await client.request('/drain', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(signDrainRequest(key.privateKey, nodeId, what === 'on' ? 'drain' : 'undrain')),
      });
    }
    const answer = await client.json<DrainAnswer>('/drain');
    if (out.json) out.data(answer);
    else print(answer, out);
    const s = answer.status;
    process.exitCode = s.draining && !s.safeToRemove && what === 'status' ? EXIT.problem : EXIT.ok;
  });
}

function print({ nodeId, status: s }: DrainAnswer, out: Output): void {
  if (!s.draining) return out.line(`${nodeId}: not draining`);
  out.line(`${nodeId}: draining since ${s.since}`);
  out.line(
    `  confirmed ${s.confirmed} of ${s.files} files on their other owners (checked ${s.checkedAt ?? 'not yet'})`,
  );
  out.line(
    s.safeToRemove
      ? out.color.green('  safe to remove')
      : `  not safe to remove yet: ${s.blocked ?? 'checking'}`,
  );
}

function signingKey(options: DrainOptions): Identity {
  if (options.envFile) loadEnvFile(options.envFile);
  const dataDir = process.env.AUDIUS_DATA_DIR || path.join(os.homedir(), '.audius-storage');
  const source = options.keyFile
    ? { file: options.keyFile }
    : process.env.AUDIUS_DELEGATE_PRIVATE_KEY
      ? { hex: process.env.AUDIUS_DELEGATE_PRIVATE_KEY, file: '$AUDIUS_DELEGATE_PRIVATE_KEY' }
      : { file: path.join(dataDir, 'delegate.key') };
  try {
    return identityFromHex(source.hex ?? fs.readFileSync(source.file, 'utf8'));
  } catch (err) {
    throw new CliError(
      EXIT.usage,
      `no signing key for the drain request (${source.file}: ${(err as Error).message}); give --key-file or --env-file`,
    );
  }
}
