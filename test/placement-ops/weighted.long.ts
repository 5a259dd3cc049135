import { weightedScenario } from './scenarios';

/** `npm run test:placement`: the weighted scenario with enough jobs for a tight binomial bound. */
test('a node of weight 2 ends with about twice the files of a weight-1 node (4 nodes, R = 1, 160 jobs)', async () => {
  const r = await weightedScenario(160);
  console.log(`weighted: jobs per node ${r.heavy} / ${r.light.join(', ')}; ratio ${r.ratio.toFixed(2)}`);
}, 900_000);
