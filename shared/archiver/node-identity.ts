import fs from 'node:fs';
import path from 'node:path';
import { identityFromHex } from '../identity/wallet';
import { ArchiverError } from './errors';

/**
 * The node's id and key as the node itself finds them (AUDIUS_DELEGATE_PRIVATE_KEY, else
 * `<AUDIUS_DATA_DIR>/delegate.key`), read only: unlike the node, the archiver never makes one.
 */
export function readNodeKey(
  env: NodeJS.ProcessEnv,
  dataDir: string,
): { address: string; hex: string } | null {
  const configured = env.AUDIUS_DELEGATE_PRIVATE_KEY?.trim();
  const file = path.join(dataDir, 'delegate.key');
  const hex = configured || (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '');
  if (!hex) return null;
  try {
    const identity = identityFromHex(hex);
    return { address: identity.address, hex: hex.replace(/^0x/, '').toLowerCase() };
  } catch (err) {
    throw new ArchiverError('usage', (err as Error).message, { cause: err });
  }
}

/** ARCHIVER_PASSPHRASE, or the first line of --passphrase-file (kept off the command line, where `ps` shows it). */
export function readPassphrase(env: NodeJS.ProcessEnv, file: string | undefined): string {
  if (file) {
    try {
      return fs.readFileSync(file, 'utf8').split(/\r?\n/)[0];
    } catch (err) {
      throw new ArchiverError(
        'usage',
        `--passphrase-file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      );
    }
  }
  return env.ARCHIVER_PASSPHRASE ?? '';
}
