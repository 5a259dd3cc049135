import { Readable } from 'node:stream';
import { applyDelistRequest } from '../../shared/access/delist-request';
import { StorageError } from '../../shared/errors';
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
    if (request.body instanceof Readable) {
      request.body.resume(); // discard it, so the client reads the refusal instead of a reset
      throw new StorageError(
        'UNSUPPORTED_MEDIA_TYPE',
        'a delist request is a JSON body (content-type: application/json)',
      );
    }
    const result = await applyDelistRequest(await services(), request.body);
    return reply.status(200).send(result);
  },
});
