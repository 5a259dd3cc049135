import path from 'node:path';
import { PROJECT_ROOT } from '../../shared/paths';

/**
 * The ffmpeg and ffprobe the transcodeAudio Lambda ships (@ffmpeg-installer/linux-x64, a 2018
 * static build; README "Deploying to AWS") run the whole audio suite: every accepted format to
 * 320 kbps CBR 48 kHz MP3 and preview, checked by decoding the outputs with the system ffmpeg.
 * The step finds its binaries through FFMPEG_PATH / FFPROBE_PATH (shared/transcode/binaries.ts).
 */
process.env.FFMPEG_PATH = path.join(PROJECT_ROOT, 'node_modules/@ffmpeg-installer/linux-x64/ffmpeg');
process.env.FFPROBE_PATH = path.join(PROJECT_ROOT, 'node_modules/@ffprobe-installer/linux-x64/ffprobe');

test('the suite runs the bundled binaries', () => {
  expect(require('../../shared/transcode/ffmpeg').ffmpegBinary()).toBe(process.env.FFMPEG_PATH);
});

require('../transcode/audio.test');
