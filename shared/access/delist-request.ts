import { StorageError } from '../errors';
import { BUCKETS } from '../nats/names';
import type { Services } from '../runtime/services';
import { applyDelistChange, assertDelistable, type DelistAction } from './delist';
import { refuse, signEnvelope, verifyEnvelopeBody } from './signed-envelope';

/**
 * An operator-signed takedown (issue 11): `POST /storage/delist` with the same envelope as
 * stream URLs, `data` = `{"type": "storage-delist", "fileName"|"id": …, "action":
 * "delist"|"relist", "reason": …, "timestamp": ms}`, signed by a wallet of
 * AUDIUS_OPERATOR_WALLETS. `type` and `action` are required: a stream URL an operator's
 * wallet signed (`{fileName, timestamp}`) is not a takedown. Short window: the operator's CLI
 * signs right before sending; and a request is applied only if it is newer than the last one
 * applied to its name, so a captured one cannot be replayed (DELIST_REPLAYED).
 */
export const DELIST_WINDOW_MS = 5 * 60_000;

/** The marker only delist requests carry (stream and upload envelopes never do). */
export const DELIST_REQUEST_TYPE = 'storage-delist';

export type { DelistAction };

export async function applyDelistRequest(
  s: Services,
  envelope: unknown,
  now = Date.now(),
): Promise<{ action: DelistAction; name: string; by: string }> {
  const { signer, data, timestamp } = verifyEnvelopeBody(
    envelope,
    'DELIST_BAD_REQUEST',
    'a delist request',
    DELIST_WINDOW_MS,
    s.config.signatureSkewSeconds * 1000,
    now,
  );
  if (!s.config.operatorWallets.includes(signer))
    throw refuse('SIGNATURE_SIGNER_NOT_ALLOWED', 'delist requests must be signed by an operator wallet');
  if (data.type !== DELIST_REQUEST_TYPE)
    throw new StorageError(
      'DELIST_BAD_REQUEST',
      `a delist request's data has "type": "${DELIST_REQUEST_TYPE}"`,
    );
  const action = data.action;
  if (action !== 'delist' && action !== 'relist')
    throw new StorageError('DELIST_BAD_REQUEST', 'action must be "delist" or "relist"');
  const name = data.fileName ?? data.id;
  assertDelistable(name);
  const kv = await s.nats.kvm.open(BUCKETS.delist);
  const reason = action === 'delist' && typeof data.reason === 'string' ? data.reason.slice(0, 500) : '';
  await applyDelistChange(
    kv,
    action,
    { name, reason, by: signer, at: new Date(now).toISOString() },
    timestamp,
  );
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
  return JSON.parse(
    signEnvelope(privateKey, { type: DELIST_REQUEST_TYPE, fileName: name, action, reason, timestamp: now }),
  );
}
