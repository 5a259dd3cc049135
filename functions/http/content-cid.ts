import { guardRead } from '../../shared/access/read-guard';
import { cidReadSchema, resolveCid } from '../../shared/client-api/cids';
import { isImageFile, serveOrRedirect } from '../../shared/client-api/serve';
import { StorageError } from '../../shared/errors';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

/**
 * GET (and HEAD) /content/:cid — mediorum's artwork route: a stored image by its content id,
 * from this node or by 302 from a holder. Audio is refused here as mediorum refuses it: it is
 * streamed from /tracks/cidstream/:cid with a signature.
 */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/content/:cid',
  schema: cidReadSchema,
  async handle(request, reply) {
    const s = await services();
    const { cid } = request.params as { cid: string };
    const { fileName } = await resolveCid(s, cid);
    if (!isImageFile(fileName))
      throw new StorageError(
        'AUDIO_NEEDS_CIDSTREAM',
        `${cid} is audio: stream it from /tracks/cidstream/${cid}`,
      );
    const { gated } = await guardRead(s, request, fileName);
    return serveOrRedirect(s, request, reply, fileName, `/content/${cid}`, { private: gated });
  },
});
