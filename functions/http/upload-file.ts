import type { Readable } from 'node:stream';
import { uploaderWallet } from '../../shared/access/upload-signature';
import { guardUploadRate, uploadAdmission } from '../../shared/http/upload-admission';
import { receiveUpload } from '../../shared/jobs/upload';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

/**
 * POST /storage/file — multipart `files` (one or more) + `template`; answers the new jobs
 * as the original README shows. The body streams into the temp store (never buffered). The
 * upload signature is checked first (issue 11), then the per-client and per-node upload
 * limits (issue 15): a refused upload stores nothing. A body that trickles is cut (408).
 */
export const { route, handler } = httpFunction({
  method: 'POST',
  url: '/storage/file',
  schema: { querystring: { type: 'object', properties: { signature: {} } } },
  async handle(request, reply) {
    const s = await services();
    const body = request.body as Readable;
    let wallet: string | undefined;
    try {
      wallet = uploaderWallet((request.query as { signature?: unknown }).signature, s.config);
    } catch (err) {
      body?.resume?.(); // discard the body, so the client reads the refusal instead of a reset
      throw err;
    }
    let release: () => void;
    try {
      const length = Number(request.headers['content-length']);
      release = uploadAdmission(s.config).admit(request.ip, Number.isFinite(length) ? length : undefined);
    } catch (err) {
      body?.resume?.();
      throw err;
    }
    try {
      // A JSON body arrives parsed (no stream): receiveUpload refuses it as NOT_MULTIPART.
      const guarded =
        typeof body?.pipe === 'function'
          ? guardUploadRate(body, s.config.uploadMinBytesPerSecond, s.config.idleTimeoutSeconds * 1000)
          : body;
      const jobs = await receiveUpload(s, request.headers, guarded, wallet);
      return reply.status(200).send(jobs);
    } finally {
      release();
    }
  },
});
