import path from 'node:path';
import { spawnChild, type Child } from './child';
import { waitFor } from './ports';
import { PROJECT_ROOT } from '../paths';

export interface BridgeProcess {
  child: Child;
  output: string[];
}

/** `dist/bin/lambda-bridge.js` as a child process; resolves once it logged "bridge ready". */
export async function startBridgeProcess(options: {
  env: NodeJS.ProcessEnv;
  config?: string;
  graceSeconds?: number;
}): Promise<BridgeProcess> {
  const output: string[] = [];
  const args = [path.join(PROJECT_ROOT, 'dist/bin/lambda-bridge.js')];
  if (options.config) args.push('--config', options.config);
  if (options.graceSeconds !== undefined) args.push('--grace-seconds', String(options.graceSeconds));
  const child = spawnChild('bridge', process.execPath, args, {
    cwd: PROJECT_ROOT,
    env: options.env,
    onLine: (line) => output.push(line),
  });
  const exited = child.exited.then((code) => {
    throw new Error(`the bridge exited (${code})`);
  });
  await Promise.race([
    waitFor('the bridge', async () => output.some((l) => l.includes('bridge ready')), 60_000),
    exited,
  ]).catch(async (err: Error) => {
    await child.stop(2000);
    throw new Error(`${err.message}\n${output.join('\n')}`);
  });
  return { child, output };
}
