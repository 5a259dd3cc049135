import path from 'node:path';
import { PROJECT_ROOT } from '../paths';
import { spawnChild, type Child } from './child';
import { waitFor } from './ports';

export interface StorageNodeProcess extends Child {
  url: string;
  env: Record<string, string>;
}

/** The compiled node entry point (`npm run build` makes it). */
export const NODE_ENTRY = path.join(PROJECT_ROOT, 'dist', 'bin', 'storage-node.js');

/**
 * Starts `dist/bin/storage-node.js` as its own process with `env` on top of the
 * parent's environment, and resolves once its health route answers connected to NATS (a node
 * whose store fails its probe is up, though unhealthy: 503 with `nats: "connected"`).
 */
export async function startStorageNodeProcess(
  name: string,
  env: Record<string, string>,
  onLine?: (line: string) => void,
  readyTimeoutMs = 30_000,
): Promise<StorageNodeProcess> {
  const port = env.AUDIUS_PORT;
  const url = env.AUDIUS_HOST || `http://127.0.0.1:${port}`;
  const child = spawnChild(name, process.execPath, [NODE_ENTRY], {
    env: { ...process.env, AUDIUS_NODE_NAME: name, ...env },
    cwd: PROJECT_ROOT,
    onLine,
  });
  const died = child.exited.then((code) => {
    throw new Error(`${name} exited (${code}) before it was ready`);
  });
  const polling = new AbortController();
  const ready = waitFor(
    `${name} at ${url}`,
    async () => {
      const res = await fetch(`${url}/storage/health`);
      const body = (await res.json().catch(() => ({}))) as { nats?: string };
      return res.status === 200 || (res.status === 503 && body.nats === 'connected');
    },
    readyTimeoutMs,
    polling.signal,
  );
  try {
    await Promise.race([ready, died]);
  } catch (err) {
    await child.kill();
    throw err;
  } finally {
    polling.abort();
    ready.catch(() => undefined);
    died.catch(() => undefined);
  }
  return { ...child, url, env };
}
