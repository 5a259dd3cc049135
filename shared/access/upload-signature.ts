import type { Config } from '../config';
import { StorageError } from '../errors';
import { verifyEnvelope } from './signed-envelope';

/**
 * Who uploads (issue 11): the wallet that signed the envelope the Audius SDK sends with an
 * upload, `?signature={"data":"{\"timestamp\":…}","signature":"0x…"}`. `signed` mode takes
 * any wallet, `allowlist` only AUDIUS_UPLOAD_WALLETS; `open` takes unsigned uploads but still
 * checks (and records) a signature that is sent. Returns the wallet, or undefined.
 */
export function uploaderWallet(raw: unknown, config: Config, now = Date.now()): string | undefined {
  if (raw === undefined) {
    if (config.uploadMode === 'open') return undefined;
    throw new StorageError('UPLOAD_SIGNATURE_REQUIRED', 'this node takes signed uploads only (?signature=)');
  }
  const windowMs = config.uploadSignatureSeconds * 1000;
  const { signer } = verifyEnvelope(raw, windowMs, config.signatureSkewSeconds * 1000, now);
  if (config.uploadMode === 'allowlist' && !config.uploadWallets.includes(signer))
    throw new StorageError('UPLOAD_WALLET_NOT_ALLOWED', `${signer} may not upload to this node`);
  return signer;
}
