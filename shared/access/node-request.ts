import { createHash } from 'node:crypto';
import type { Identity } from '../identity/wallet';
import { recoverPersonalSigner, signPersonalMessage, SignatureError } from './eth-signature';

/**
 * Node-to-node request signatures (DESIGN §10): the calling node signs, with its delegate key,
 * the method, the path with its query, the node it is calling, the sha256 of the body and a
 * timestamp. Naming the callee means a captured request cannot be replayed to another node,
 * and a node reached by mistake (two members advertising one URL) refuses rather than answers
 * for someone else. The callee recovers the signer and accepts healthy members only
 * (./node-guard.ts).
 */
export const NODE_HEADERS = {
  signer: 'x-storage-signer',
  recipient: 'x-storage-recipient',
  timestamp: 'x-storage-timestamp',
  signature: 'x-storage-signature',
} as const;

/** sha256 of an empty body: GETs sign this. */
const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

export interface NodeRequest {
  method: string;
  /** Path with its query, exactly as sent (`/storage/internal/shards?s=mkx&verify=true`). */
  path: string;
  /** Address of the node being called. */
  to: string;
  /** ms since epoch; now by default. */
  timestamp?: number;
  bodySha256?: string;
}

/** The exact text a node signs: one line per field, so no field can bleed into another. */
export function nodeRequestMessage(
  r: Required<Omit<NodeRequest, 'bodySha256'>> & { bodySha256?: string },
): string {
  return [
    'storage-v2 node request',
    r.method.toUpperCase(),
    r.path,
    r.to.toLowerCase(),
    r.bodySha256 ?? EMPTY_SHA256,
    String(r.timestamp),
  ].join('\n');
}

/** Headers to send with a request to another node. */
export function signNodeRequest(identity: Identity, request: NodeRequest): Record<string, string> {
  const timestamp = request.timestamp ?? Date.now();
  return {
    [NODE_HEADERS.signer]: identity.address,
    [NODE_HEADERS.recipient]: request.to.toLowerCase(),
    [NODE_HEADERS.timestamp]: String(timestamp),
    [NODE_HEADERS.signature]: signPersonalMessage(
      identity.privateKey,
      nodeRequestMessage({ ...request, timestamp }),
    ),
  };
}

export type NodeRequestRefusal = {
  code:
    | 'NODE_SIGNATURE_MISSING'
    | 'NODE_SIGNATURE_MALFORMED'
    | 'NODE_SIGNATURE_EXPIRED'
    | 'NODE_SIGNATURE_INVALID'
    | 'NODE_SIGNATURE_WRONG_RECIPIENT';
  message: string;
};

/** What every node request carries, read and checked apart from its proof. */
export interface NodeRequestHeaders {
  /** The claimed signer, lower case. */
  signer: string;
  timestamp: number;
}

/**
 * The claimed signer and timestamp of a request to node `request.to`, or why it is refused
 * before its proof is even looked at: headers missing or malformed, meant for another node,
 * or outside the window (a replay after it is refused). `proof` is the header carrying the
 * signature or the MAC (./node-mac.ts).
 */
export function checkNodeHeaders(
  headers: Record<string, string | string[] | undefined>,
  request: { to: string; windowMs: number; now?: number },
  proof: string | undefined,
): NodeRequestHeaders | NodeRequestRefusal {
  const claimed = oneHeader(headers[NODE_HEADERS.signer]);
  const recipient = oneHeader(headers[NODE_HEADERS.recipient]);
  const stamp = oneHeader(headers[NODE_HEADERS.timestamp]);
  if (!claimed || !stamp || !proof || !recipient)
    return { code: 'NODE_SIGNATURE_MISSING', message: 'node request signature headers are missing' };
  if (!/^\d{1,16}$/.test(stamp) || !/^0x[0-9a-fA-F]{40}$/.test(claimed) || proof.length > 140)
    return { code: 'NODE_SIGNATURE_MALFORMED', message: 'node request signature headers are malformed' };
  if (recipient.toLowerCase() !== request.to.toLowerCase())
    return {
      code: 'NODE_SIGNATURE_WRONG_RECIPIENT',
      message: `this request was signed for ${recipient}, not this node`,
    };
  const timestamp = Number(stamp);
  if (Math.abs((request.now ?? Date.now()) - timestamp) > request.windowMs)
    return {
      code: 'NODE_SIGNATURE_EXPIRED',
      message: 'node request signature is outside its validity window',
    };
  return { signer: claimed.toLowerCase(), timestamp };
}

/**
 * The signer of a signed request to node `request.to`, or why it is refused. Membership is
 * the caller's check.
 */
export function verifyNodeRequest(
  headers: Record<string, string | string[] | undefined>,
  request: Omit<NodeRequest, 'timestamp'> & { now?: number; windowMs: number },
): { signer: string } | NodeRequestRefusal {
  const signature = oneHeader(headers[NODE_HEADERS.signature]);
  const checked = checkNodeHeaders(headers, request, signature);
  if ('code' in checked) return checked;
  let signer: string;
  try {
    signer = recoverPersonalSigner(
      nodeRequestMessage({ ...request, timestamp: checked.timestamp }),
      signature!,
    );
  } catch (err) {
    if (err instanceof SignatureError)
      return { code: 'NODE_SIGNATURE_MALFORMED', message: `node request signature: ${err.message}` };
    throw err;
  }
  if (signer !== checked.signer)
    return { code: 'NODE_SIGNATURE_INVALID', message: 'node request signature does not match its signer' };
  return { signer };
}

export function oneHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
