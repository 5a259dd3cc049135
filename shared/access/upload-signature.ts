import type { Config } from '../config';
import { StorageError } from '../errors';
import { refuse, verifyEnvelope } from './signed-envelope';

/**
 * The keys an upload envelope's `data` may hold: the Audius SDK signs `{"timestamp": …}` and
 * nothing else (reference/mediorum.md §2, §5). Anything more is another kind of signed
 * request — a stream URL (`fileName`, `cid`, `upload_id`, `trackId` …) or a delist request
 * (`action`, `type`) — and must not make its signer the uploader: stream URLs are public.
 */
export const UPLOAD_DATA_KEYS: readonly string[] = ['timestamp'];

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
  const { signer, data } = verifyEnvelope(raw, windowMs, config.signatureSkewSeconds * 1000, now);
  const foreign = Object.keys(data).filter((k) => !UPLOAD_DATA_KEYS.includes(k));
  if (foreign.length > 0)
    throw refuse(
      'UPLOAD_SIGNATURE_WRONG_KIND',
      `an upload signature signs {"timestamp"} only, not ${foreign.map((k) => JSON.stringify(k)).join(', ')}`,
    );
  if (config.uploadMode === 'allowlist' && !config.uploadWallets.includes(signer))
    throw new StorageError('UPLOAD_WALLET_NOT_ALLOWED', `${signer} may not upload to this node`);
  return signer;
}
