import { ApiError, apiError } from '../lib/api';
import type { JobView } from '../lib/types';
import type { Upload } from './upload';

/** `GET /storage/upload-config` (shared/presigned-upload/upload-config.ts). */
export interface UploadConfig {
  max_upload_bytes: number;
  max_direct_body_bytes: number | null;
  presigned_uploads: boolean;
}

interface SlotPart {
  part_number: number;
  url: string;
  start: number;
  end: number;
}

interface SlotAnswer {
  token: string;
  upload: { method: 'PUT'; url: string } | { method: 'PUT'; part_size: number; parts: SlotPart[] };
  complete_url: string;
}

/** Whether these files must go through slots: more bytes than the body limit in front of the node. */
export function needsSlots(config: UploadConfig | null, files: readonly File[]): boolean {
  if (!config?.presigned_uploads || config.max_direct_body_bytes === null) return false;
  return files.reduce((n, f) => n + f.size, 0) > config.max_direct_body_bytes;
}

/**
 * Sends each file through a presigned slot (README "Large uploads: presigned slots"): open
 * the slot with the file's size and sha256, PUT the bytes (or each part) straight to S3, then
 * complete. The bucket's CORS rule must allow PUT from this page and expose `ETag`.
 */
export function uploadThroughSlots(
  files: readonly File[],
  template: string,
  onProgress: (sent: number, total: number) => void,
): Upload {
  const total = files.reduce((n, f) => n + f.size, 0);
  const abort = new AbortController();
  let current: XMLHttpRequest | undefined;
  let before = 0;
  /** PUTs `body`, which starts `offset` bytes into the current file. */
  const put = (url: string, body: Blob, offset: number) =>
    new Promise<string>((resolve, reject) => {
      const xhr = (current = new XMLHttpRequest());
      xhr.upload.onprogress = (e) => onProgress(before + offset + e.loaded, total);
      xhr.onload = () =>
        xhr.status >= 200 && xhr.status < 300
          ? resolve(xhr.getResponseHeader('etag') ?? '')
          : reject(new ApiError(`S3 refused the upload (HTTP ${xhr.status})`, xhr.status, 'S3_REFUSED'));
      xhr.onerror = () => reject(new ApiError('The upload to S3 failed (network or CORS)', 0, ''));
      xhr.onabort = () => reject(new ApiError('The upload was cancelled', 0, 'CANCELLED'));
      xhr.open('PUT', url);
      xhr.send(body);
    });
  const sendOne = async (file: File): Promise<JobView> => {
    const sha256 = await sha256Hex(file);
    const slot = await postJson<SlotAnswer>('/storage/upload-slots', {
      template,
      file_name: file.name,
      size: file.size,
      sha256,
    });
    const parts: { part_number: number; etag: string }[] = [];
    if ('url' in slot.upload) await put(slot.upload.url, file, 0);
    else
      for (const part of slot.upload.parts) {
        const etag = await put(part.url, file.slice(part.start, part.end), part.start);
        parts.push({ part_number: part.part_number, etag });
      }
    const [job] = await postJson<JobView[]>(slot.complete_url, {
      token: slot.token,
      ...(parts.length ? { parts } : {}),
    });
    before += file.size;
    return job;
  };
  const done = (async () => {
    const jobs: JobView[] = [];
    for (const file of files) {
      if (abort.signal.aborted) throw new ApiError('The upload was cancelled', 0, 'CANCELLED');
      jobs.push(await sendOne(file));
    }
    return jobs;
  })();
  return {
    done,
    abort: () => {
      abort.abort();
      current?.abort();
    },
  };
}

/** Web Crypto has no streaming digest: the file is read whole (the slot needs its sha256 up front). */
async function sha256Hex(file: File): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function postJson<T>(url: string, body: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiError('The node could not be reached', 0, '');
  }
  const text = await res.text();
  if (!res.ok) throw apiError(res.status, text);
  return JSON.parse(text) as T;
}
