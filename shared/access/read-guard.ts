import type { FastifyRequest } from 'fastify';
import { StorageError } from '../errors';
import type { Services } from '../runtime/services';
import { access } from './access';
import { NODE_HEADERS, verifyNodeRequest } from './node-request';
import { isGated } from './policy';
import { verifyStreamSignature } from './stream-signature';

/**
 * The one check every read route makes before it serves or redirects (issue 11): a delisted
 * name is 403 everywhere; a gated name needs a valid stream signature, or — on internal read
 * routes (long-term, temp objects) — a node signature from a healthy member. Returns whether
 * the name is gated, so the answer is not cached publicly.
 */
export async function guardRead(
  s: Services,
  request: FastifyRequest,
  name: string,
  options: { acceptNodeSignature?: boolean } = {},
): Promise<{ gated: boolean }> {
  const a = await access(s);
  const delisted = a.delist.find(name);
  if (delisted) throw new StorageError('DELISTED', `${name} has been taken down`);
  if (!isGated(a.policy, name)) return { gated: false };
  const signature = (request.query as { signature?: unknown }).signature;
  if (signature !== undefined) {
    verifyStreamSignature(signature, name, a.rules);
  } else if (options.acceptNodeSignature && request.headers[NODE_HEADERS.signature] !== undefined) {
    assertMemberRequest(s, request);
  } else {
    throw new StorageError('SIGNATURE_REQUIRED', `${name} needs a signed stream URL (?signature=)`);
  }
  return { gated: true };
}

/** A node-signed request (DESIGN §10) from a healthy member; throws its refusal code otherwise. */
function assertMemberRequest(s: Services, request: FastifyRequest): void {
  const windowMs = s.config.nodeSignatureWindowSeconds * 1000;
  const result = verifyNodeRequest(request.headers, request.method, request.url, windowMs);
  if ('code' in result) throw new StorageError(result.code, result.message);
  if (!s.membership.get(result.signer)?.healthy)
    throw new StorageError('NOT_A_MEMBER', 'the node signature is not from a healthy member');
}

/** Query string that passes the caller's signature on to the node a read is redirected to. */
export function redirectQuery(request: FastifyRequest): string {
  const signature = (request.query as { signature?: unknown }).signature;
  const params = new URLSearchParams({ localOnly: 'true' });
  if (typeof signature === 'string') params.set('signature', signature);
  return params.toString();
}
