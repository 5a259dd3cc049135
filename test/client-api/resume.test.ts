import { describeResume } from './resume-scenario';

const MB = 1024 * 1024;

/**
 * The smoke version of the interrupted upload (`npm run test:resume` runs it with 200 MB and
 * the SDK's 100 MB chunks): a 4.2 MB WAV in 1 MB PATCHes, the first client killed in its
 * third PATCH at 2.5 MB. Two PATCHes were acknowledged, so the node holds at least 2 MB.
 */
describeResume({ seconds: 48, chunkSize: MB, cutAt: () => 2.5 * MB, minStored: 2 * MB, timeoutMs: 60_000 });
