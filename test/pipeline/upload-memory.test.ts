import { measureUploadMemory } from '../../bench/lib/upload-memory';

/**
 * Uploads stream: a 200 MB upload must not grow the receiving node's RSS by anything like
 * its size. (`npm run check:memory` does the same with 1 GB; README records the figure.)
 */
test('a 200 MB upload raises the node process peak RSS by less than 150 MB', async () => {
  const report = await measureUploadMemory(200 * 1024 * 1024);
  expect(report.status).toBe(200);
  expect(report.growthMb).toBeLessThan(150);
}, 120_000);
