import { uploaderWallet } from '../../shared/access/upload-signature';
import { openSlot } from '../../shared/presigned-upload/open-slot';
import { openSlotSchema } from '../../shared/presigned-upload/schemas';
import type { SlotRequest } from '../../shared/presigned-upload/types';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

/**
 * POST /storage/upload-slots — opens a presigned upload slot (issue 13) for a file too large
 * for the body limit in front of the node: `{template, file_name, size, sha256}` → presigned
 * S3 PUT URL(s), a token and where to complete. Signed like POST /storage/file (issue 11).
 */
export const { route, handler } = httpFunction({
  method: 'POST',
  url: '/storage/upload-slots',
  schema: openSlotSchema,
  async handle(request, reply) {
    const s = await services();
    const wallet = uploaderWallet((request.query as { signature?: unknown }).signature, s.config);
    return reply.status(201).send(await openSlot(s, request.body as SlotRequest, wallet));
  },
});
