import { httpFunction } from '../../shared/runtime/http-function';
import { sendAsset } from '../../shared/weather/web-files';

/** GET /storage/assets/:file — the web UI's scripts and styles (built into dist/web/assets). */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage/assets/:file',
  schema: {
    params: { type: 'object', properties: { file: { type: 'string', maxLength: 100 } }, required: ['file'] },
  },
  async handle(request, reply) {
    return sendAsset(reply, (request.params as { file: string }).file);
  },
});
