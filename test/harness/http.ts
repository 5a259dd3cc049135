import { execFile } from 'node:child_process';

/**
 * The original README's upload, as a user types it:
 * `curl -F "files=@<file>" -F "template=<t>" <node>/storage/file`.
 */
export function curlUpload(
  baseUrl: string,
  files: string[],
  template: string | null,
  extra: string[] = [],
): Promise<{ status: number; body: any }> {
  const args = ['-s', '-w', '\n%{http_code}', ...files.flatMap((f) => ['-F', `files=@${f}`])];
  if (template !== null) args.push('-F', `template=${template}`);
  args.push(...extra, `${baseUrl}/storage/file`);
  return new Promise((resolve, reject) => {
    execFile('curl', args, { maxBuffer: 10 * 1024 * 1024 }, (err, stdout) => {
      if (err) return reject(err);
      const cut = stdout.lastIndexOf('\n');
      const text = stdout.slice(0, cut);
      resolve({ status: Number(stdout.slice(cut + 1)), body: text ? JSON.parse(text) : null });
    });
  });
}

export async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, body: await res.json() };
}

/** Polls a job until `done` or `error` (or the timeout). */
export async function waitForJob(baseUrl: string, id: string, timeoutMs = 60_000): Promise<any> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await getJson(`${baseUrl}/storage/jobs/${id}`);
    if (body.status === 'done' || body.status === 'error') return body;
    if (Date.now() > end)
      throw new Error(`job ${id} still ${body.status} after ${timeoutMs} ms: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
