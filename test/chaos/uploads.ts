import fs from 'node:fs';
import path from 'node:path';

/** How one upload request ended, as the client saw it. */
export type UploadOutcome =
  | { kind: 'acknowledged'; status: number; jobIds: string[]; at: number }
  | { kind: 'refused'; status: number; code: string; retryAfter: string | null }
  | { kind: 'no-answer'; why: string };

/** A file to upload and the template it goes under. */
export interface UploadItem {
  file: string;
  template: 'audio' | 'img_square' | 'img_backdrop';
}

/**
 * One `POST /storage/file` with one file, as a browser or the SDK sends it (multipart, files
 * then template). A request the node dropped (killed mid-request, connection refused) is
 * `no-answer`: the client was told nothing, so nothing was promised.
 */
export async function sendUpload(
  baseUrl: string,
  item: UploadItem,
  timeoutMs: number,
): Promise<UploadOutcome> {
  const form = new FormData();
  form.append('files', new Blob([fs.readFileSync(item.file)]), path.basename(item.file));
  form.append('template', item.template);
  let res: Response;
  let text: string;
  try {
    res = await fetch(`${baseUrl}/storage/file`, {
      method: 'POST',
      body: form,
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await res.text();
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return { kind: 'no-answer', why: cause ?? (err as Error).name };
  }
  const body = parse(text);
  if (res.status >= 200 && res.status < 300 && Array.isArray(body)) {
    return {
      kind: 'acknowledged',
      status: res.status,
      jobIds: body.map((j: { id: string }) => j.id),
      at: Date.now(),
    };
  }
  return {
    kind: 'refused',
    status: res.status,
    code: (body as { code?: string } | null)?.code ?? 'none',
    retryAfter: res.headers.get('retry-after'),
  };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * Runs `count` tasks with at most `concurrency` at once; `task(i)` gets its index, so a
 * caller can trigger faults when a given share of the work has been started.
 */
export async function pool(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}
