import { guardRead } from '../../shared/access/read-guard';
import { StorageError } from '../../shared/errors';
import { contentTypeOf } from '../../shared/http/serve-blob';
import { fileNameOfTemp } from '../../shared/jobs/temp-names';
import { TEMP_BUCKET_PATTERN } from '../../shared/nats/names';
import { readTempObject } from '../../shared/nats/temp-objects';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

/** GET /storage/tmp-obj/:bucket/:key — an object of a temp store (uploads and fresh results). */
export const { route, handler } = httpFunction({
  method: 'GET',
  url: '/storage/tmp-obj/:bucket/:key',
  schema: {
    params: {
      type: 'object',
      properties: {
        bucket: { type: 'string', maxLength: 20 },
        key: { type: 'string', pattern: '^[0-9a-z_.]{1,100}$' },
      },
      required: ['bucket', 'key'],
    },
    querystring: { type: 'object', properties: { signature: {} } },
  },
  async handle(request, reply) {
    const { bucket, key } = request.params as { bucket: string; key: string };
    if (!TEMP_BUCKET_PATTERN.test(bucket))
      throw new StorageError('BAD_BUCKET', `${bucket} is not a temp bucket (temp_<k>)`);
    const s = await services();
    if (Number(bucket.slice(5)) >= s.config.tempBuckets)
      throw new StorageError('NOT_FOUND', `No bucket ${bucket}`);
    // Uploads and fresh results are gated like the files made from them (issue 11).
    await guardRead(s, request, key, { acceptNodeSignature: true });
    const found = await readTempObject(s.nats, bucket, key);
    if (!found) throw new StorageError('NOT_FOUND', `No object ${key} in ${bucket}`);
    return reply
      .type(contentTypeOf(fileNameOfTemp(key)))
      .header('Content-Length', String(found.info.size))
      .header(
        'Content-Disposition',
        `inline; filename="${(found.info.description ?? key).replace(/[^\w.-]/g, '_')}"`,
      )
      .send(found.body);
  },
});
