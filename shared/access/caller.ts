import type { FastifyRequest } from 'fastify';
import type { Services } from '../runtime/services';
import { requireMemberSignature } from './node-guard';
import { NODE_HEADERS } from './node-request';

/**
 * True when the request proves (signature or MAC) that a healthy member sent it; false when
 * it carries no node proof at all. A proof that fails throws (401/403), as on internal routes.
 */
export function isMemberRequest(s: Services, request: FastifyRequest): boolean {
  if (request.headers[NODE_HEADERS.signer] === undefined) return false;
  requireMemberSignature(request, s.membership, s.config.nodeSignatureWindowSeconds, s.identity);
  return true;
}
