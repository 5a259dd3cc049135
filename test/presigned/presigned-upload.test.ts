import { StorageError } from '../../shared/errors';
import { stagingFor } from '../../shared/presigned-upload/s3-staging';
import { makeTone } from '../harness/media';
import { describeSlotFlow } from './slot-suite';

// The smoke of the presigned flow (issue 13): a 3 s track, one presigned PUT. The 50 MB
// multipart run is `npm run test:presigned` (test/presigned/large-upload.long.ts).
describeSlotFlow('presigned upload slots (small file, one PUT)', {
  make: (dir) => makeTone(dir, 'slot-song.mp3', 3),
  multipart: false,
  transcodeTimeoutMs: 60_000,
  shortSlotSeconds: 2,
});

test('a node whose long-term store is not S3 refuses to open slots, with its own code', () => {
  let caught: unknown;
  try {
    stagingFor('file:///tmp/audius-slots-test');
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(StorageError);
  expect((caught as StorageError).code).toBe('PRESIGNED_UPLOADS_NEED_S3');
  expect((caught as StorageError).statusCode).toBe(501);
});
