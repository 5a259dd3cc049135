import { applyDelistRequest } from '../../shared/access/delist-request';
import { jsonBody } from '../../shared/http/json-body';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

/**
 * POST /storage/delist — an operator-signed takedown or its reversal (issue 11); every node
 * refuses the name on every read route as soon as its delist watch sees the entry. The body
 * is the envelope as JSON (`application/json`, or as text); any other content type arrives
 * as a raw stream (shared/runtime/app.ts) and is refused with 415.
 */
export const { route, handler } = httpFunction({
  method: 'POST',
  url: '/storage/delist',
  async handle(request, reply) {
    const result = await applyDelistRequest(await services(), jsonBody(request.body, 'a delist request'));
    return reply.status(200).send(result);
  },
});
