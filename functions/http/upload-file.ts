import type { Readable } from 'node:stream';
import { receiveUpload } from '../../shared/jobs/upload';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

/**
 * POST /storage/file — multipart `files` (one or more) + `template`; answers the new jobs
 * as the original README shows. The body streams into the temp store (never buffered).
 */
export const { route, handler } = httpFunction({
  method: 'POST',
  url: '/storage/file',
  async handle(request, reply) {
    const jobs = await receiveUpload(await services(), request.headers, request.body as Readable);
    return reply.status(200).send(jobs);
  },
});
