import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { BlobServiceClient } from '@azure/storage-blob';
import { stopChild } from './stop-child';

/**
 * Azurite's blob service for tests: the npm dev dependency's own bin, loopback only, a port the
 * OS picks (Azurite prints it), a temp workspace that `stop()` removes, telemetry off, and any
 * API version accepted (the SDK is often newer than the emulator).
 */
export interface Azurite {
  /** `http://127.0.0.1:<port>/devstoreaccount1` */
  blobEndpoint: string;
  /** The well-known development account (public, documented by Microsoft). */
  connectionString: string;
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

const ACCOUNT = 'devstoreaccount1';
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/**
 * Azurite is started through this guard so that it dies with the test process: the guard exits
 * (and stops Azurite) when its stdin closes, which happens however the parent ends.
 */
const GUARD = String.raw`
const { spawn } = require('node:child_process');
const [bin, ...args] = process.argv.slice(1);
const azurite = spawn(bin, args, { stdio: ['ignore', 'inherit', 'inherit'] });
const stop = () => azurite.kill('SIGTERM');
process.stdin.resume();
process.stdin.on('end', stop);
process.on('SIGTERM', stop);
azurite.on('exit', (code) => process.exit(code ?? 0));
`;

export async function startAzurite(options: { containers: string[] }): Promise<Azurite> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'azurite-'));
  const bin = path.join(path.dirname(require.resolve('azurite/package.json')), '..', '.bin', 'azurite-blob');
  const args = [
    '--blobHost',
    '127.0.0.1',
    '--blobPort',
    '0',
    '--location',
    dir,
    '--skipApiVersionCheck',
    '--disableTelemetry',
    '--loose',
  ];
  const child = spawn(process.execPath, ['-e', GUARD, bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let port: number;
  try {
    port = await readPort(child);
  } catch (err) {
    await stopChild(child);
    await fs.rm(dir, { recursive: true, force: true });
    throw err;
  }
  const blobEndpoint = `http://127.0.0.1:${port}/${ACCOUNT}`;
  const connectionString = `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${KEY};BlobEndpoint=${blobEndpoint};`;
  const stop = async () => {
    await stopChild(child);
    await fs.rm(dir, { recursive: true, force: true });
  };
  try {
    const service = BlobServiceClient.fromConnectionString(connectionString);
    for (const name of options.containers) await service.getContainerClient(name).create();
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    blobEndpoint,
    connectionString,
    env: { AZURE_STORAGE_CONNECTION_STRING: connectionString },
    stop,
  };
}

function readPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(
      () => finish(() => reject(new Error('Azurite did not start within 20 s'))),
      20_000,
    );
    function finish(fn: () => void) {
      clearTimeout(timer);
      lines.close();
      fn();
    }
    lines.on('line', (line) => {
      const m = /successfully listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
      if (m) finish(() => resolve(Number(m[1])));
    });
    child.once('exit', (code) =>
      finish(() => reject(new Error(`Azurite exited with code ${code}: ${stderr.trim()}`))),
    );
  });
}
