import { access } from '../../shared/access/access';
import { verifyStreamSignature } from '../../shared/access/stream-signature';
import { cidReadSchema, resolveCid } from '../../shared/client-api/cids';
import { serveOrRedirect } from '../../shared/client-api/serve';
import { StorageError } from '../../shared/errors';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

/**
 * GET (and HEAD) /tracks/cidstream/:cid?signature=… — the player's audio route, checked as
 * mediorum checks it (reference/mediorum.md §5): not delisted, and always a signature whose
 * data names this `cid` (and its `upload_id`, if given), recent, from an allowed signer.
 * Range/206 through the shared read path; 302 to a holder, signature kept.
 */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/tracks/cidstream/:cid',
  schema: cidReadSchema,
  async handle(request, reply) {
    const s = await services();
    const { cid } = request.params as { cid: string };
    const entry = await resolveCid(s, cid);
    const a = await access(s);
    if (a.delist.find(entry.fileName)) throw new StorageError('DELISTED', `${cid} has been taken down`);
    const signature = (request.query as { signature?: unknown }).signature;
    if (signature === undefined)
      throw new StorageError('SIGNATURE_REQUIRED', `${cid} needs a signed stream URL (?signature=)`);
    verifyStreamSignature(signature, cid, a.rules, Date.now(), entry.id);
    return serveOrRedirect(s, request, reply, entry.fileName, `/tracks/cidstream/${cid}`, { private: true });
  },
});
