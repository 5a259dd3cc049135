import { uploadDetail } from '../../shared/client-api/uploads';
import { idParams } from '../../shared/http/schemas';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

/**
 * GET /uploads/:id — an upload in mediorum's shape (the Audius SDK polls it every 3 s until
 * `done` or `error`); 422 with the record when it failed, as mediorum answers.
 */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/uploads/:id',
  schema: { params: idParams },
  async handle(request, reply) {
    const { status, body } = await uploadDetail(await services(), (request.params as { id: string }).id);
    return reply.status(status).send(body);
  },
});
