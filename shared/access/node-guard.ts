import type { FastifyRequest } from 'fastify';
import { StorageError } from '../errors';
import type { Membership } from '../membership/membership';
import { verifyNodeRequest } from './node-request';

/**
 * Admits a request only when it is signed for this node (`self`) by a healthy member's
 * delegate key within the signature window (DESIGN §10 "Node-to-node calls"); otherwise
 * throws 401 (missing, malformed, expired, wrong signature, meant for another node) or 403
 * (a valid signature of a node that is not a healthy member). Returns the signer's address.
 */
export function requireMemberSignature(
  request: Pick<FastifyRequest, 'headers' | 'method' | 'url'>,
  membership: Membership,
  windowSeconds: number,
  self: string,
): string {
  const verdict = verifyNodeRequest(request.headers, {
    method: request.method,
    path: request.url,
    to: self,
    windowMs: windowSeconds * 1000,
  });
  if ('code' in verdict) throw new StorageError(verdict.code, verdict.message);
  if (!membership.get(verdict.signer)?.healthy)
    throw new StorageError('NOT_A_MEMBER', `${verdict.signer} is not a healthy member of this cluster`);
  return verdict.signer;
}
