import { createHash } from 'node:crypto';
import type { Identity } from '../identity/wallet';
import { recoverPersonalSigner, signPersonalMessage, SignatureError } from './eth-signature';

/**
 * Node-to-node request signatures (DESIGN §10): the calling node signs, with its delegate key,
 * the method, the path with its query, the sha256 of the body and a timestamp. The callee
 * recovers the signer and accepts healthy members only (./node-guard.ts).
 */
export const NODE_HEADERS = {
  signer: 'x-storage-signer',
  timestamp: 'x-storage-timestamp',
  signature: 'x-storage-signature',
} as const;

/** sha256 of an empty body: GETs sign this. */
const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

/** The exact text a node signs: one line per field, so no field can bleed into another. */
export function nodeRequestMessage(
  method: string,
  pathAndQuery: string,
  timestamp: number,
  bodySha256 = EMPTY_SHA256,
): string {
  return ['storage-v2 node request', method.toUpperCase(), pathAndQuery, bodySha256, String(timestamp)].join(
    '\n',
  );
}

/** Headers to send with a request to another node. */
export function signNodeRequest(
  identity: Identity,
  method: string,
  pathAndQuery: string,
  now = Date.now(),
  bodySha256?: string,
): Record<string, string> {
  return {
    [NODE_HEADERS.signer]: identity.address,
    [NODE_HEADERS.timestamp]: String(now),
    [NODE_HEADERS.signature]: signPersonalMessage(
      identity.privateKey,
      nodeRequestMessage(method, pathAndQuery, now, bodySha256),
    ),
  };
}

export type NodeRequestRefusal =
  | { code: 'NODE_SIGNATURE_MISSING'; message: string }
  | { code: 'NODE_SIGNATURE_MALFORMED'; message: string }
  | { code: 'NODE_SIGNATURE_EXPIRED'; message: string }
  | { code: 'NODE_SIGNATURE_INVALID'; message: string };

/**
 * The signer of a node request, or why it is refused. `windowMs` bounds the clock difference
 * either way (a replay after it is refused). Membership is the caller's check.
 */
export function verifyNodeRequest(
  headers: Record<string, string | string[] | undefined>,
  method: string,
  pathAndQuery: string,
  windowMs: number,
  now = Date.now(),
  bodySha256?: string,
): { signer: string } | NodeRequestRefusal {
  const claimed = one(headers[NODE_HEADERS.signer]);
  const stamp = one(headers[NODE_HEADERS.timestamp]);
  const signature = one(headers[NODE_HEADERS.signature]);
  if (!claimed || !stamp || !signature)
    return { code: 'NODE_SIGNATURE_MISSING', message: 'node request signature headers are missing' };
  if (!/^\d{1,16}$/.test(stamp) || !/^0x[0-9a-fA-F]{40}$/.test(claimed) || signature.length > 140)
    return { code: 'NODE_SIGNATURE_MALFORMED', message: 'node request signature headers are malformed' };
  const timestamp = Number(stamp);
  if (Math.abs(now - timestamp) > windowMs)
    return {
      code: 'NODE_SIGNATURE_EXPIRED',
      message: 'node request signature is outside its validity window',
    };
  let signer: string;
  try {
    signer = recoverPersonalSigner(
      nodeRequestMessage(method, pathAndQuery, timestamp, bodySha256),
      signature,
    );
  } catch (err) {
    if (err instanceof SignatureError)
      return { code: 'NODE_SIGNATURE_MALFORMED', message: `node request signature: ${err.message}` };
    throw err;
  }
  if (signer !== claimed.toLowerCase())
    return { code: 'NODE_SIGNATURE_INVALID', message: 'node request signature does not match its signer' };
  return { signer };
}

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
