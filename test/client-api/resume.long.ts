import { describeResume } from './resume-scenario';

const MB = 1024 * 1024;

/**
 * The interrupted upload at full size (`npm run test:resume`): a 200 MB WAV (37.8
 * minutes of 44.1 kHz mono PCM, made by ffmpeg in a temp dir) sent in the Audius SDK's 100 MB
 * PATCHes, the first client killed half way — inside its first PATCH, so whatever the node
 * holds came from a PATCH that never finished.
 */
describeResume({
  seconds: 2268,
  chunkSize: 100 * MB,
  cutAt: (size) => Math.floor(size / 2),
  minStored: 1,
  timeoutMs: 600_000,
  onOutcome: (restart, size, out) =>
    console.log(
      `${restart ? 'restarted node' : 'same node'}: ${size} bytes, cut at ${Math.floor(size / 2)}, ` +
        `node held ${out.storedOffset}, resumed from ${out.resumedFrom}, resent ${out.resumedSent}`,
    ),
});
