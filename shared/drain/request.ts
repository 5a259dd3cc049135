import { refuse, signEnvelope, verifyEnvelopeBody } from '../access/signed-envelope';
import { StorageError } from '../errors';
import type { Config } from '../config';
import type { DrainState } from './state';

/**
 * `POST /storage/drain`: start or end this node's drain. The body is the network's signed
 * envelope, `{"data": "<JSON>", "signature": "0x…"}` with data
 * `{"type": "storage-drain", "node": "<this node's id>", "action": "drain"|"undrain",
 * "timestamp": ms}`, signed (EIP-191 over the JCS form, shared/access) by this node's own
 * delegate key or by a wallet of AUDIUS_OPERATOR_WALLETS. `node` pins the request to one
 * node; the timestamp must lie within the last 5 minutes and be newer than the last request
 * applied here, so a captured request cannot be replayed (DRAIN_REPLAYED).
 */
export const DRAIN_WINDOW_MS = 5 * 60_000;
export const DRAIN_REQUEST_TYPE = 'storage-drain';

export type DrainAction = 'drain' | 'undrain';

export interface DrainRequestContext {
  nodeId: string;
  config: Pick<Config, 'operatorWallets' | 'signatureSkewSeconds'>;
  drain: DrainState;
}

export function applyDrainRequest(
  ctx: DrainRequestContext,
  envelope: unknown,
  now = Date.now(),
): { action: DrainAction; node: string; by: string } {
  const { signer, data, timestamp } = verifyEnvelopeBody(
    envelope,
    'DRAIN_BAD_REQUEST',
    'a drain request',
    DRAIN_WINDOW_MS,
    ctx.config.signatureSkewSeconds * 1000,
    now,
  );
  if (data.type !== DRAIN_REQUEST_TYPE)
    throw new StorageError('DRAIN_BAD_REQUEST', `a drain request's data has "type": "${DRAIN_REQUEST_TYPE}"`);
  const action = data.action;
  if (action !== 'drain' && action !== 'undrain')
    throw new StorageError('DRAIN_BAD_REQUEST', 'action must be "drain" or "undrain"');
  if (typeof data.node !== 'string' || data.node.toLowerCase() !== ctx.nodeId)
    throw new StorageError(
      'DRAIN_WRONG_NODE',
      `this request is for node ${String(data.node)}, this node is ${ctx.nodeId}`,
    );
  if (signer !== ctx.nodeId && !ctx.config.operatorWallets.includes(signer))
    throw refuse(
      'SIGNATURE_SIGNER_NOT_ALLOWED',
      "drain requests must be signed by the node's own delegate key or an operator wallet",
    );
  if (timestamp <= ctx.drain.lastRequestAt())
    throw new StorageError('DRAIN_REPLAYED', 'a drain request at least as new has already been applied here');
  ctx.drain.set(action === 'drain', timestamp);
  return { action, node: ctx.nodeId, by: signer };
}

/** The body an operator sends (`npm run drain`, tests, the CLI). */
export function signDrainRequest(
  privateKey: Uint8Array,
  node: string,
  action: DrainAction = 'drain',
  now = Date.now(),
): unknown {
  return JSON.parse(
    signEnvelope(privateKey, { type: DRAIN_REQUEST_TYPE, node: node.toLowerCase(), action, timestamp: now }),
  );
}
