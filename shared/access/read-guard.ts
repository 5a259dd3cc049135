import type { FastifyRequest } from 'fastify';
import { StorageError } from '../errors';
import type { Services } from '../runtime/services';
import { access } from './access';
import { requireMemberSignature } from './node-guard';
import { NODE_HEADERS } from './node-request';
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
  /** `alwaysGated`: whatever the read policy (temp objects: unreleased originals, issue 15). */
  options: { acceptNodeSignature?: boolean; alwaysGated?: boolean } = {},
): Promise<{ gated: boolean }> {
  const a = await access(s);
  const delisted = a.delist.find(name);
  if (delisted) throw new StorageError('DELISTED', `${name} has been taken down`);
  if (!options.alwaysGated && !isGated(a.policy, name)) return { gated: false };
  const signature = (request.query as { signature?: unknown }).signature;
  if (signature !== undefined) {
    verifyStreamSignature(signature, name, a.rules);
  } else if (options.acceptNodeSignature && request.headers[NODE_HEADERS.signer] !== undefined) {
    requireMemberSignature(request, s.membership, s.config.nodeSignatureWindowSeconds, s.identity);
  } else {
    throw new StorageError('SIGNATURE_REQUIRED', `${name} needs a signed stream URL (?signature=)`);
  }
  return { gated: true };
}

/** Query string that passes the caller's signature on to the node a read is redirected to. */
export function redirectQuery(request: FastifyRequest): string {
  const signature = (request.query as { signature?: unknown }).signature;
  const params = new URLSearchParams({ localOnly: 'true' });
  if (typeof signature === 'string') params.set('signature', signature);
  return params.toString();
}
