import { drainScenario } from './scenarios';

/** Smoke version (the long one: `npm run test:placement`): drain one of five nodes under a light load. */
test('a drained node ends with no shards, every file on R other owners throughout; stopping it needs no repair', async () => {
  const r = await drainScenario(10, 6);
  console.log(
    `drain smoke: ${r.files} files, ${r.checks} checks, fewest copies seen ${r.fewestCopies}, ${r.drainSeconds.toFixed(1)} s`,
  );
  expect(r.checks).toBeGreaterThanOrEqual(3);
  expect(r.fewestCopies).toBeGreaterThanOrEqual(3);
}, 300_000);
