#!/usr/bin/env node
/**
 * One storage node: `node dist/bin/storage-node.js`, configured by environment variables
 * (README "Configuration"). SIGTERM/SIGINT stop it cleanly.
 */
import { loadConfig } from '../shared/config';
import { describeError, isStorageError } from '../shared/errors';
import { createLogger } from '../shared/log';
import { loadManifest } from '../shared/runtime/manifest';
import { stopOnSignals } from '../shared/runtime/stop-on-signals';
import { startNode } from '../shared/runtime/node';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.nodeName);
  const node = await startNode(config, loadManifest(), log);
  stopOnSignals(log, 'stopping', () => node.stop());
}

main().catch((err) => {
  // Configuration and storage problems are one clear line, not a stack trace (issue 6).
  console.error(`storage node failed to start: ${isStorageError(err) ? err.message : describeError(err)}`);
  if (!isStorageError(err)) console.error(err);
  process.exit(1);
});
