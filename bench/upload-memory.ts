/**
 * `npm run check:memory`: peak RSS growth of a node while a 1 GB upload streams through it
 * into the temp store (issue: < 150 MB). Prints the figures; exits 1 past the bound.
 */
import { measureUploadMemory } from './lib/upload-memory';

const BYTES = Number(process.env.UPLOAD_BYTES ?? 1024 ** 3);
const BOUND_MB = 150;

measureUploadMemory(BYTES).then(
  (r) => {
    console.log(
      `upload of ${(r.bytes / 1024 ** 3).toFixed(2)} GiB: HTTP ${r.status} in ${r.seconds.toFixed(1)} s (${(r.bytes / 1024 ** 2 / r.seconds).toFixed(1)} MiB/s)`,
    );
    console.log(
      `node RSS: baseline ${r.baselineRssMb} MB, peak ${r.peakRssMb} MB, growth ${r.growthMb} MB (bound ${BOUND_MB} MB)`,
    );
    process.exit(r.status === 200 && r.growthMb < BOUND_MB ? 0 : 1);
  },
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
