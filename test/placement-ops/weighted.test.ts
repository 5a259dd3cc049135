import { weightedScenario } from './scenarios';

/** Smoke version (the long one: `npm run test:placement`): a weight-2 node among three weight-1 nodes. */
test('a node of weight 2 ends with about twice the files of a weight-1 node (4 nodes, R = 1)', async () => {
  const r = await weightedScenario(36);
  console.log(
    `weighted smoke: jobs per node ${r.heavy} / ${r.light.join(', ')}; ratio ${r.ratio.toFixed(2)}`,
  );
}, 240_000);
