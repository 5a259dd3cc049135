import { drainScenario } from './scenarios';

/** `npm run test:placement`: the drain scenario with more files and a longer upload load. */
test('a drained node ends with no shards, every file on R other owners throughout; stopping it needs no repair', async () => {
  const r = await drainScenario(40, 30);
  console.log(
    `drain: ${r.files} files, ${r.checks} checks, fewest copies seen ${r.fewestCopies}, ${r.drainSeconds.toFixed(1)} s`,
  );
  expect(r.checks).toBeGreaterThanOrEqual(10);
  expect(r.fewestCopies).toBeGreaterThanOrEqual(3);
}, 900_000);
