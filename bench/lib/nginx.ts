import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { spawnChild, type Child } from '../../shared/local/child';
import { waitFor } from '../../shared/local/ports';

/**
 * Debian's nginx as the baseline of bench/serve.ts, as an operator would set it up to serve
 * a directory of files: one worker, sendfile on, no access log, its own process, plus one
 * static redirect rule (`/redirect/…` → `redirectTo/…`) for the 302 case.
 */
export async function startNginx(options: {
  dir: string;
  root: string;
  port: number;
  redirectTo: string;
}): Promise<{ url: string; child: Child; pid: number }> {
  const { dir, root, port } = options;
  fs.mkdirSync(dir, { recursive: true });
  const conf = path.join(dir, 'nginx.conf');
  // A root-run master hands requests to an unprivileged worker, which could not read a
  // private temp dir: as root, the worker stays root (a benchmark, on loopback only).
  const user = process.getuid?.() === 0 ? 'user root root;' : '';
  fs.writeFileSync(
    conf,
    `${user}
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  types { image/jpeg jpg; audio/mpeg mp3; }
  default_type application/octet-stream;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    location /redirect/ { return 302 ${options.redirectTo}$request_uri; }
  }
}
`,
  );
  const binary = nginxBinary();
  execFileSync(binary, ['-t', '-q', '-p', dir, '-c', conf, '-e', `${dir}/error.log`]);
  const child = spawnChild('nginx', binary, ['-p', dir, '-c', conf, '-e', `${dir}/error.log`], {});
  const url = `http://127.0.0.1:${port}`;
  await waitFor('nginx', async () => (await fetch(`${url}/`)).status > 0, 10_000);
  return { url, child, pid: Number(fs.readFileSync(`${dir}/nginx.pid`, 'utf8')) };
}

/** `nginx/1.22.1`, for the benchmark's header line. */
export function nginxVersion(): string {
  const out = spawnSync(nginxBinary(), ['-v'], { encoding: 'utf8' });
  return (out.stderr || out.stdout).trim().replace(/^nginx version: /, '');
}

function nginxBinary(): string {
  for (const candidate of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx']) {
    if (fs.existsSync(candidate)) return candidate;
  }
  return 'nginx';
}
