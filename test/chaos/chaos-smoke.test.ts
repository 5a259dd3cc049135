import { expectTargets } from './expectations';
import { figuresTable } from './figures';
import { runChaos } from './scenario';

/**
 * The smoke version of the chaos suite (the long one: `npm run chaos`): three storage nodes
 * (R = 2, so two are left to own every shard after the kill), three NATS servers, a dozen
 * uploads in flight while one node is killed -9 and one NATS server is killed and restarted.
 */
test('chaos smoke: a node kill -9 and a NATS server bounce lose no acknowledged upload, no 500', async () => {
  const story: string[] = [];
  const figures = await runChaos(
    {
      nodes: 3,
      natsServers: 3,
      replicationFactor: 2,
      uploads: 12,
      concurrency: 4,
      audioEvery: 3,
      ratePerSecond: 2,
      killNodeAtMs: 1500,
      killNatsAtMs: 3500,
      natsDownMs: 3000,
      settleBoundMs: 120_000,
      repairBoundMs: 30_000,
    },
    (line) => story.push(line),
  );
  console.log(`chaos smoke\n${figuresTable(figures)}`);
  try {
    expectTargets(figures, 6);
  } catch (err) {
    console.log(story.join('\n')); // the run's timeline and the story of any job that did not end
    throw err;
  }
}, 240_000);
