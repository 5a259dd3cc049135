import type { Command } from 'commander';
import { contextOf, withCommonOptions } from '../context';
import { EXIT, usageError } from '../exit-codes';
import type { Output } from '../output';
import { errorText, type Check } from '../doctor/check';

export function registerDoctor(program: Command): void {
  withCommonOptions(
    program
      .command('doctor')
      .description("check a node's setup end to end and say what to fix")
      .option('--env-file <path>', "read the node's settings from this file first (KEY=value lines)"),
  )
    .addHelpText(
      'after',
      `
Run it where the node runs, with the node's environment (README "Configuration"): it reads
the settings the way the node does. Checks: the settings parse; NATS reachable and JetStream
on; every stream and bucket with AUDIUS_NATS_REPLICAS replicas; the blob store writable;
ffmpeg (with libmp3lame), ffprobe and sharp present; clock skew against the NATS server;
disk space; every node's ring in agreement (asked through --node, else AUDIUS_HOST).
Exits 1 when any check fails; warnings alone exit 0.

Examples:
  storage doctor
  storage doctor --env-file /etc/storage/node.env --json`,
    )
    .action(async (options: { envFile?: string; node?: string }, command: Command) => {
      if (options.envFile) loadEnvFile(options.envFile);
      const { out } = contextOf(command);
      // Loaded here: the NATS client and the blob drivers cost a second of start-up to every other command.
      const { diagnose } = require('../doctor/diagnose') as typeof import('../doctor/diagnose');
      const checks = await diagnose(
        process.env,
        options.node !== undefined || process.env.STORAGE_NODE_URL
          ? contextOf(command).client.base
          : undefined,
      );
      const healthy = checks.every((c) => c.status !== 'fail');
      if (out.json) out.data({ ok: healthy, checks });
      else print(checks, out);
      process.exitCode = healthy ? EXIT.ok : EXIT.problem;
    });
}

function loadEnvFile(file: string): void {
  try {
    process.loadEnvFile(file);
  } catch (err) {
    throw usageError(`--env-file ${file}: ${errorText(err)}`);
  }
}

const MARK = { ok: '✓', warn: '!', fail: '✗', skip: '-' } as const;

function print(checks: Check[], out: Output): void {
  const c = out.color;
  const paint = { ok: c.green, warn: c.yellow, fail: c.red, skip: c.dim } as const;
  const width = Math.max(...checks.map((x) => x.check.length));
  for (const check of checks) {
    out.line(`${paint[check.status](MARK[check.status])} ${check.check.padEnd(width)}  ${check.detail}`);
    if (check.fix) out.line(`  ${' '.repeat(width)}  ${paint[check.status]('fix:')} ${check.fix}`);
  }
  const failed = checks.filter((x) => x.status === 'fail').length;
  const warned = checks.filter((x) => x.status === 'warn').length;
  out.line(
    failed ? c.red(`${failed} problem(s) to fix`) : `no problems${warned ? ` (${warned} warning(s))` : ''}`,
  );
}
