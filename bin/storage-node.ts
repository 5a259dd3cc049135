#!/usr/bin/env node
/**
 * One storage node: `node dist/bin/storage-node.js`, configured by environment variables
 * (README "Configuration"). SIGTERM/SIGINT stop it cleanly.
 */
import { loadConfig } from '../shared/config';
import { describeError, isStorageError } from '../shared/errors';
import { createLogger } from '../shared/log';
import { loadManifest } from '../shared/runtime/manifest';
import { startNode } from '../shared/runtime/node';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.nodeName);
  const node = await startNode(config, loadManifest(), log);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    node.stop().then(
      () => process.exit(0),
      (err) => {
        log.error({ err: describeError(err) }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => {
  // Configuration and storage problems are one clear line, not a stack trace (issue 6).
  console.error(`storage node failed to start: ${isStorageError(err) ? err.message : describeError(err)}`);
  if (!isStorageError(err)) console.error(err);
  process.exit(1);
});
