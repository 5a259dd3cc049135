import { completeSlot } from '../../shared/presigned-upload/complete-slot';
import { completeSlotSchema } from '../../shared/presigned-upload/schemas';
import type { CompleteRequest } from '../../shared/presigned-upload/types';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

/**
 * POST /storage/upload-slots/:id/complete — `{token, parts?}` once the bytes are in S3: the
 * node checks the object's size and sha256 and answers as POST /storage/file does, with the
 * job in an array (issue 13).
 */
export const { route, handler } = httpFunction({
  method: 'POST',
  url: '/storage/upload-slots/:id/complete',
  schema: completeSlotSchema,
  async handle(request, reply) {
    const { id } = request.params as { id: string };
    const job = await completeSlot(await services(), id, request.body as CompleteRequest);
    return reply.status(200).send([job]);
  },
});
