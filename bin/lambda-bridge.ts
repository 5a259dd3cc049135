#!/usr/bin/env node
/**
 * The NATS→Lambda bridge: `node dist/bin/lambda-bridge.js [--config serverless.yml]
 * [--grace-seconds 10]`, configured by the node's environment variables plus
 * AUDIUS_LAMBDA_ENDPOINT / AUDIUS_LAMBDA_PREFIX (README "Deploying to AWS"). SIGTERM/SIGINT
 * stop it: in-flight invocations get the grace period, then are handed back to NATS.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startBridge } from '../shared/bridge/bridge';
import { loadConfig } from '../shared/config';
import { describeError, isStorageError } from '../shared/errors';
import { createLogger } from '../shared/log';
import { loadManifest } from '../shared/runtime/manifest';
import { stopOnSignals } from '../shared/runtime/stop-on-signals';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { config: { type: 'string' }, 'grace-seconds': { type: 'string', default: '10' } },
  });
  const graceMs = Number(values['grace-seconds']) * 1000;
  if (!Number.isFinite(graceMs) || graceMs < 0) throw new Error('--grace-seconds takes a number >= 0');
  // The bridge exists to invoke Lambdas: that is its default, and in-process is refused.
  const config = loadConfig({
    ...process.env,
    AUDIUS_STEP_INVOKER: process.env.AUDIUS_STEP_INVOKER || 'lambda',
  });
  const log = createLogger(config.nodeName);
  const manifest = loadManifest(values.config ? path.resolve(values.config) : undefined);
  const bridge = await startBridge(config, manifest, log);
  stopOnSignals(log, 'bridge stopping', () => bridge.stop(graceMs));
}

main().catch((err) => {
  console.error(`lambda bridge failed to start: ${isStorageError(err) ? err.message : describeError(err)}`);
  process.exit(1);
});
