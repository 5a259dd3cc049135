import fs from 'node:fs';
import { spawnChild, type Child } from '../../shared/local/child';
import { waitFor } from '../../shared/local/ports';

/**
 * Node's own floor for a read, in its own process: a bare `node:http` server answering GET and
 * Range requests for a few files it holds in memory, with no routing, access checks, metrics
 * or store behind it. Beside nginx it shows how much of the node's gap is Node's HTTP path
 * and how much is the node's own work.
 */
export async function startBareNode(options: {
  port: number;
  /** URL path → file to hold in memory. */
  files: Record<string, string>;
}): Promise<{ url: string; child: Child; pid: number }> {
  for (const file of Object.values(options.files)) fs.accessSync(file, fs.constants.R_OK);
  const child = spawnChild('bare-node', process.execPath, ['-e', SERVER], {
    env: { ...process.env, BARE_PORT: String(options.port), BARE_FILES: JSON.stringify(options.files) },
  });
  const url = `http://127.0.0.1:${options.port}`;
  await waitFor('bare node server', async () => (await fetch(`${url}/`)).status > 0, 10_000);
  return { url, child, pid: child.process.pid! };
}

const SERVER = `
const http = require('node:http');
const fs = require('node:fs');
const files = new Map(Object.entries(JSON.parse(process.env.BARE_FILES)).map(([p, f]) => [p, fs.readFileSync(f)]));
http.createServer((req, res) => {
  const bytes = files.get(req.url);
  if (!bytes) { res.writeHead(404).end(); return; }
  const range = /^bytes=(\\d+)-(\\d+)$/.exec(req.headers.range || '');
  if (range) {
    const start = Number(range[1]), end = Math.min(Number(range[2]), bytes.length - 1);
    res.writeHead(206, { 'Content-Type': 'application/octet-stream', 'Content-Length': end - start + 1,
      'Content-Range': 'bytes ' + start + '-' + end + '/' + bytes.length, 'Accept-Ranges': 'bytes' });
    res.end(bytes.subarray(start, end + 1));
  } else {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.length, 'Accept-Ranges': 'bytes' });
    res.end(bytes);
  }
}).listen(Number(process.env.BARE_PORT), '127.0.0.1');
`;
