import { guardRead } from '../../shared/access/read-guard';
import { StorageError } from '../../shared/errors';
import { contentTypeOf } from '../../shared/http/serve-blob';
import { fileNameOfTemp } from '../../shared/jobs/temp-names';
import { TEMP_BUCKET_PATTERN } from '../../shared/nats/names';
import { readTempObject } from '../../shared/nats/temp-objects';
import { httpFunction } from '../../shared/runtime/http-function';
import { services } from '../../shared/runtime/services';

/**
 * GET /storage/tmp-obj/:bucket/:key — an object of a temp store (uploads and fresh results),
 * for other nodes (a node signature or MAC) and holders of a stream signature for the file
 * only, whatever the read policy (issue 15): these are unreleased originals. Served as an
 * attachment, never inline.
 */
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
    const found = await readTempObject(s.nats, bucket, key);
    if (!found) throw new StorageError('NOT_FOUND', `No object ${key} in ${bucket}`);
    try {
      // A stream signature names the file (a result's per-attempt suffix is not part of it).
      await guardRead(s, request, fileNameOfTemp(key), { acceptNodeSignature: true, alwaysGated: true });
    } catch (err) {
      found.body.destroy();
      throw err;
    }
    return reply
      .type(contentTypeOf(fileNameOfTemp(key)))
      .header('Content-Length', String(found.info.size))
      .header(
        'Content-Disposition',
        `attachment; filename="${(found.info.description ?? key).replace(/[^\w.-]/g, '_')}"`,
      )
      .send(found.body);
  },
});
