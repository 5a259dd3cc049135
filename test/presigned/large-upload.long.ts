import { makeTone } from '../harness/media';
import { describeSlotFlow } from './slot-suite';

// Issue 13: "the presigned flow with a 50 MB file against s3rver". A 300 s stereo WAV is
// 52.9 MB: four 16 MiB parts, each PUT to its own presigned URL.
describeSlotFlow('presigned upload slots (50 MB file, multipart)', {
  make: (dir) => makeTone(dir, 'long-take.wav', 300, ['-ac', '2']),
  multipart: true,
  transcodeTimeoutMs: 240_000,
  shortSlotSeconds: 30,
});
