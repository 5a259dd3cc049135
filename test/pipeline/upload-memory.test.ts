import { measureUploadMemory } from '../../bench/lib/upload-memory';

/**
 * Uploads stream: a 200 MB upload must not grow the receiving node's RSS by anything like
 * its size. (`npm run check:memory` does the same with 1 GB; README records the figure.)
 */
// Measured 36 MB here (2026-12-02). The bound must fail if a third of the body were held in
// memory, so it sits well under 200 / 3 MB (issue 15: 150 MB would pass with most of it buffered).
test('a 200 MB upload raises the node process peak RSS by less than 64 MB', async () => {
  const report = await measureUploadMemory(200 * 1024 * 1024);
  expect(report.status).toBe(200);
  expect(report.growthMb).toBeLessThan(64);
}, 120_000);
