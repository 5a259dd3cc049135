import { execFileSync } from 'node:child_process';
import { expectTargets } from './expectations';
import { figuresTable } from './figures';
import { runChaos } from './scenario';

/**
 * The chaos suite (`npm run chaos`; README "Hardening: the chaos suite" keeps one run's
 * figures): five storage nodes (R = 3), three NATS servers, 200 uploads (a third audio)
 * started at 8 a second over 25 s; one node is killed -9 12 s in, one NATS server is killed
 * 20 s in and started again 8 s later, each while uploads are sent and about 100 are in
 * flight (requests open or jobs not ended). Bounds: every acknowledged job ends within 8 min
 * of the last answer; then every done job's results are on all current owners within 2 min.
 */
test('chaos: 200 uploads through a node kill -9 and a NATS server bounce', async () => {
  const load = () => execFileSync('uptime').toString().trim();
  console.log(`machine before: ${load()}`);
  const figures = await runChaos(
    {
      nodes: 5,
      natsServers: 3,
      replicationFactor: 3,
      uploads: 200,
      concurrency: 100,
      audioEvery: 3,
      ratePerSecond: 8,
      killNodeAtMs: 12_000,
      killNatsAtMs: 20_000,
      natsDownMs: 8000,
      settleBoundMs: 480_000,
      repairBoundMs: 120_000,
    },
    (line) => console.log(line),
  );
  console.log(`chaos figures (machine after: ${load()})\n${figuresTable(figures)}`);
  console.log(JSON.stringify({ stuck: figures.stuck, lost: figures.lost }, null, 1));
  expectTargets(figures, 60);
}, 1_200_000);
