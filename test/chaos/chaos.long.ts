import { execFileSync } from 'node:child_process';
import { expectTargets } from './expectations';
import { figuresTable } from './figures';
import { runChaos } from './scenario';

/**
 * The chaos suite (`npm run chaos`; README "Hardening: the chaos suite" keeps one run's
 * figures): five storage nodes (R = 3), three NATS servers, 150 uploads (a third audio)
 * started at 6 a second over 25 s; one node is killed -9 5 s in, one NATS server is killed
 * 14 s in and started again 8 s later, each while uploads are sent and jobs run.
 * Bounds: every acknowledged job ends within 5 min of the last answer; then every done job's
 * results are on all current owners within 2 min.
 */
test('chaos: 150 uploads through a node kill -9 and a NATS server bounce', async () => {
  const load = () => execFileSync('uptime').toString().trim();
  console.log(`machine before: ${load()}`);
  const figures = await runChaos(
    {
      nodes: 5,
      natsServers: 3,
      replicationFactor: 3,
      uploads: 150,
      concurrency: 64,
      audioEvery: 3,
      ratePerSecond: 6,
      killNodeAtMs: 5000,
      killNatsAtMs: 14_000,
      natsDownMs: 8000,
      settleBoundMs: 300_000,
      repairBoundMs: 120_000,
    },
    (line) => console.log(line),
  );
  console.log(`chaos figures (machine after: ${load()})\n${figuresTable(figures)}`);
  console.log(JSON.stringify({ stuck: figures.stuck, lost: figures.lost }, null, 1));
  expectTargets(figures, 60);
}, 900_000);
