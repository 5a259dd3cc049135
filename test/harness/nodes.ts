import path from 'node:path';
import { freePort } from '../../shared/local/ports';
import { startStorageNodeProcess, type StorageNodeProcess } from '../../shared/local/storage-node-process';
import { randomKey } from './config';
import { tempDir } from './temp';

export interface TestNodes {
  nodes: StorageNodeProcess[];
  /** Root of the nodes' data and file stores (`<dir>/<name>/blobs`). */
  dir: string;
  output: string[];
  /** Starts (again) the node at `index` with the same identity and storage. */
  restart(index: number): Promise<StorageNodeProcess>;
  stop(): Promise<void>;
}

/**
 * N storage node processes (`dist/bin/storage-node.js`, built by `npm test`'s pretest) on
 * free ports, each with its own key, data dir and file store, all on `natsUrls`.
 */
export async function startTestNodes(
  count: number,
  natsUrls: string[],
  env: Record<string, string> = {},
  /** Settings of one node on top of `env` (e.g. its own bucket). */
  perNode: (index: number) => Record<string, string> = () => ({}),
): Promise<TestNodes> {
  const temp = tempDir('nodes');
  const output: string[] = [];
  const envs: Record<string, string>[] = [];
  const nodes: StorageNodeProcess[] = [];
  const start = async (i: number) => {
    const name = `node${i + 1}`;
    const node = await startStorageNodeProcess(
      name,
      envs[i],
      (line) => {
        output.push(`${name} ${line}`);
        // Enough for the chaos suite to show a stuck job's story (test/chaos/).
        if (output.length > 20_000) output.shift();
      },
      // Several nodes start at once on 2 shared cores: readiness can take a while.
      60_000,
    );
    nodes[i] = node;
    return node;
  };
  try {
    for (let i = 0; i < count; i++) {
      const port = await freePort();
      const name = `node${i + 1}`;
      envs.push({
        AUDIUS_PORT: String(port),
        AUDIUS_HOST: `http://127.0.0.1:${port}`,
        AUDIUS_DATA_DIR: path.join(temp.dir, name, 'data'),
        AUDIUS_DELEGATE_PRIVATE_KEY: randomKey(),
        storage_driver_url: `file://${path.join(temp.dir, name, 'blobs')}`,
        NATS_SERVER_URL: natsUrls.join(','),
        AUDIUS_NATS_REPLICAS: String(Math.min(3, natsUrls.length)),
        AUDIUS_TEMP_BUCKETS: '2',
        // Open like `npm start`; test/access/ runs the secure policy (a node's default).
        AUDIUS_GATED_VARIANTS: 'none',
        AUDIUS_UPLOAD_MODE: 'open',
        // Every test client is 127.0.0.1: the per-client limits are tested on their own
        // (test/pipeline/upload-bounds.test.ts, test/unit/http/).
        AUDIUS_UPLOADS_PER_CLIENT: '64',
        AUDIUS_UPLOADS_PER_CLIENT_PER_MINUTE: '0',
        ...env,
        ...perNode(i),
      });
    }
    await Promise.all(envs.map((_, i) => start(i)));
  } catch (err) {
    await Promise.allSettled(nodes.filter(Boolean).map((n) => n.kill()));
    temp.remove();
    throw Object.assign(err as Error, {
      message: `${(err as Error).message}\n${output.slice(-40).join('\n')}`,
    });
  }
  return {
    nodes,
    dir: temp.dir,
    output,
    restart: start,
    stop: async () => {
      await Promise.allSettled(nodes.map((n) => n.stop(10_000)));
      temp.remove();
    },
  };
}
