import { StorageError } from '../errors';
import { BUCKETS } from '../nats/names';
import type { Services } from '../runtime/services';
import { addToDelist, assertDelistable, removeFromDelist, type DelistRecord } from './delist';
import { refuse, signEnvelope, verifyEnvelope } from './signed-envelope';

/**
 * An operator-signed takedown (issue 11): `POST /storage/delist` with the same envelope as
 * stream URLs, `data` = `{"fileName"|"id": …, "action": "delist"|"relist", "reason": …,
 * "timestamp": ms}`, signed by a wallet of AUDIUS_OPERATOR_WALLETS. Short window: the
 * operator's CLI signs right before sending.
 */
export const DELIST_WINDOW_MS = 5 * 60_000;

export type DelistAction = 'delist' | 'relist';

export async function applyDelistRequest(
  s: Services,
  envelope: unknown,
  now = Date.now(),
): Promise<{ action: DelistAction; name: string; by: string }> {
  const raw = typeof envelope === 'string' ? envelope : JSON.stringify(envelope ?? null);
  const { signer, data } = verifyEnvelope(raw, DELIST_WINDOW_MS, s.config.signatureSkewSeconds * 1000, now);
  if (!s.config.operatorWallets.includes(signer))
    throw refuse('SIGNATURE_SIGNER_NOT_ALLOWED', 'delist requests must be signed by an operator wallet');
  const name = data.fileName ?? data.id;
  assertDelistable(name);
  const action = data.action ?? 'delist';
  if (action !== 'delist' && action !== 'relist')
    throw new StorageError('DELIST_BAD_REQUEST', 'action must be "delist" or "relist"');
  const kv = await s.nats.kvm.open(BUCKETS.delist);
  if (action === 'relist') await removeFromDelist(kv, name);
  else {
    const reason = typeof data.reason === 'string' ? data.reason.slice(0, 500) : '';
    const record: DelistRecord = { name, reason, by: signer, at: new Date(now).toISOString() };
    await addToDelist(kv, record);
  }
  return { action, name, by: signer };
}

/** The request body an operator sends (the delist script, tests). */
export function signDelistRequest(
  privateKey: Uint8Array,
  name: string,
  action: DelistAction = 'delist',
  reason = '',
  now = Date.now(),
): unknown {
  return JSON.parse(signEnvelope(privateKey, { fileName: name, action, reason, timestamp: now }));
}
