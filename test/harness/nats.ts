import { startNatsCluster, type NatsCluster } from '../../shared/local/nats-server';
import { tempDir } from './temp';

export interface TestNats extends NatsCluster {
  /** The last lines the servers printed, for failure messages. */
  output: string[];
}

/**
 * Real nats-server processes (JetStream on, free ports, temp store dirs) for one test file;
 * `stop()` kills them and removes their data. Call it in afterAll.
 */
export async function startTestNats(
  size = 1,
  options: { noAdvertise?: boolean; configFile?: string } = {},
): Promise<TestNats> {
  const temp = tempDir('nats');
  const output: string[] = [];
  const cluster = await startNatsCluster({
    size,
    dataDir: temp.dir,
    clusterName: `test${size}`,
    noAdvertise: options.noAdvertise,
    configFile: options.configFile,
    onLine: (name, line) => {
      output.push(`${name} ${line}`);
      if (output.length > 200) output.shift();
    },
  }).catch((err) => {
    temp.remove();
    throw err;
  });
  return {
    ...cluster,
    output,
    stop: async () => {
      await cluster.stop();
      temp.remove();
    },
  };
}
