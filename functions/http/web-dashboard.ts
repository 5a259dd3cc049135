import { slotUploadOrigins } from '../../shared/presigned-upload/upload-config';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';
import { sendPage } from '../../shared/weather/web-files';

/** GET /storage — the upload dashboard (web/dashboard.html; `/storage/` is web-dashboard-slash). */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage',
  async handle(_request, reply) {
    return sendPage(reply, 'dashboard', slotUploadOrigins((await services()).config));
  },
});
