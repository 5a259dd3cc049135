import { generatePreview } from '../../shared/client-api/preview';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

/** POST /generate_preview/:cid/:seconds — a new 30 s preview of a track from `seconds` on: `{ cid }` (mediorum). */
export const { route, handler } = httpFunction({
  method: 'POST',
  url: '/generate_preview/:cid/:seconds',
  schema: {
    params: {
      type: 'object',
      properties: { cid: { type: 'string', maxLength: 100 }, seconds: { type: 'string', maxLength: 20 } },
      required: ['cid', 'seconds'],
    },
  },
  async handle(request, reply) {
    const { cid, seconds } = request.params as { cid: string; seconds: string };
    const abort = new AbortController();
    request.raw.once('close', () => abort.abort());
    return reply.send(await generatePreview(await services(), cid, seconds, abort.signal));
  },
});
