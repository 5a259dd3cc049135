import path from 'node:path';
import { spawnChild, type Child } from './child';
import { freePort, waitFor } from './ports';
import { PROJECT_ROOT } from '../paths';

export interface Offline {
  /** `http://127.0.0.1:<httpPort>`: the HTTP API (serverless-offline's API Gateway). */
  url: string;
  /** `http://127.0.0.1:<lambdaPort>`: serverless-offline's Lambda Invoke API. */
  lambdaEndpoint: string;
  output: string[];
  stop(): Promise<void>;
}

/**
 * `osls offline start` (serverless-offline through osls) for a service directory, on free
 * ports. Ready once the Lambda endpoint answers and, when `readyPath` is given, that HTTP
 * route answers 200.
 */
export async function startOffline(options: {
  serviceDir?: string;
  env: NodeJS.ProcessEnv;
  readyPath?: string;
  timeoutMs?: number;
}): Promise<Offline> {
  const httpPort = await freePort();
  const lambdaPort = await freePort();
  const output: string[] = [];
  const child: Child = spawnChild(
    'offline',
    process.execPath,
    [
      path.join(PROJECT_ROOT, 'node_modules/serverless/bin/serverless.js'),
      'offline',
      'start',
      '--httpPort',
      String(httpPort),
      '--lambdaPort',
      String(lambdaPort),
    ],
    {
      cwd: options.serviceDir ?? PROJECT_ROOT,
      env: options.env,
      onLine: (line) => {
        output.push(line);
        if (output.length > 400) output.shift();
      },
    },
  );
  const url = `http://127.0.0.1:${httpPort}`;
  const lambdaEndpoint = `http://127.0.0.1:${lambdaPort}`;
  try {
    const ready = waitFor(
      'serverless-offline',
      async () => {
        await fetch(lambdaEndpoint); // any answer: the Lambda endpoint listens
        return options.readyPath ? (await fetch(url + options.readyPath)).ok : true;
      },
      options.timeoutMs ?? 120_000,
    );
    const exited = child.exited.then((code) => {
      throw new Error(`serverless-offline exited (${code})`);
    });
    await Promise.race([ready, exited]);
  } catch (err) {
    await child.stop(5000);
    throw new Error(`${(err as Error).message}\n${output.join('\n')}`);
  }
  return { url, lambdaEndpoint, output, stop: () => child.stop(10_000) };
}
