import type { FastifyRequest } from 'fastify';
import { StorageError } from '../errors';
import type { Identity } from '../identity/wallet';
import type { Membership } from '../membership/membership';
import { checkNodeMac, NODE_MAC_HEADER } from './node-mac';
import { checkNodeHeaders, nodeRequestMessage, oneHeader, verifyNodeRequest } from './node-request';

/**
 * Admits a request only when it is proven to come from a healthy member and addressed to
 * this node (`self`) within the signature window (DESIGN §10 "Node-to-node calls"): by a
 * signature of the member's delegate key, or by a MAC under the pair key (./node-mac.ts).
 * Otherwise throws 401 (missing, malformed, expired, wrong proof, meant for another node) or
 * 403 (a valid proof of a node that is not a healthy member). Returns the caller's address.
 */
export function requireMemberSignature(
  request: Pick<FastifyRequest, 'headers' | 'method' | 'url'>,
  membership: Membership,
  windowSeconds: number,
  self: Identity,
): string {
  const wanted = {
    method: request.method,
    path: request.url,
    to: self.address,
    windowMs: windowSeconds * 1000,
  };
  const mac = oneHeader(request.headers[NODE_MAC_HEADER]);
  let signer: string;
  if (mac !== undefined) {
    const checked = checkNodeHeaders(request.headers, wanted, mac);
    if ('code' in checked) throw new StorageError(checked.code, checked.message);
    const member = membership.get(checked.signer);
    if (!member?.healthy) throw notMember(checked.signer);
    const message = nodeRequestMessage({ ...wanted, timestamp: checked.timestamp });
    const refused = checkNodeMac(self, checked.signer, member.publicKey, message, mac);
    if (refused) throw new StorageError(refused.code, refused.message);
    signer = checked.signer;
  } else {
    const verdict = verifyNodeRequest(request.headers, wanted);
    if ('code' in verdict) throw new StorageError(verdict.code, verdict.message);
    signer = verdict.signer;
  }
  if (!membership.get(signer)?.healthy) throw notMember(signer);
  return signer;
}

function notMember(signer: string): StorageError {
  return new StorageError('NOT_A_MEMBER', `${signer} is not a healthy member of this cluster`);
}
