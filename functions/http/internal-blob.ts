import { requireMemberSignature } from '../../shared/access/node-guard';
import { StorageError } from '../../shared/errors';
import { serveBlob } from '../../shared/http/serve-blob';
import { longTermKey } from '../../shared/jobs/keys';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

/**
 * GET /storage/internal/blob/:fileName — node-signed: a copy this node holds, for a peer's
 * repair pull. Never redirects; a full read is hashed on the way out, so a rotten copy fails
 * before its last bytes and is quarantined here (the puller verifies too).
 */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage/internal/blob/:fileName',
  schema: {
    params: {
      type: 'object',
      properties: { fileName: { type: 'string', maxLength: 100 } },
      required: ['fileName'],
    },
  },
  async handle(request, reply) {
    const s = await services();
    requireMemberSignature(request, s.membership, s.config.nodeSignatureWindowSeconds, s.identity);
    const { fileName } = request.params as { fileName: string };
    const key = longTermKey(s.config.namespace, s.config.shardLength, fileName);
    if (await serveBlob(request, reply, s.reads, key)) return reply;
    throw new StorageError('FILE_NOT_FOUND', `This node does not hold ${fileName}`);
  },
});
