import { ApiError, apiError } from '../lib/api';
import type { JobView } from '../lib/types';

export interface Upload {
  /** The jobs the node created, or the server's error. */
  done: Promise<JobView[]>;
  abort(): void;
}

/**
 * `POST /storage/file` as the README's curl does it (template first, then one `files`
 * part per file), with XMLHttpRequest so the bytes sent can be shown as they go.
 */
export function uploadFiles(
  files: readonly File[],
  template: string,
  onProgress: (sent: number, total: number) => void,
): Upload {
  const xhr = new XMLHttpRequest();
  const form = new FormData();
  form.append('template', template);
  for (const file of files) form.append('files', file, file.name);
  const done = new Promise<JobView[]>((resolve, reject) => {
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded, e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText) as JobView[]);
        } catch {
          reject(new ApiError('The node answered something that is not JSON', xhr.status, ''));
        }
      } else reject(apiError(xhr.status, xhr.responseText));
    };
    // The node closes the connection early on a too-large file; the body may never arrive.
    xhr.onerror = () => reject(new ApiError('The upload failed: the connection to the node was lost', 0, ''));
    xhr.onabort = () => reject(new ApiError('The upload was cancelled', 0, 'CANCELLED'));
  });
  xhr.open('POST', '/storage/file');
  xhr.setRequestHeader('accept', 'application/json');
  xhr.send(form);
  return { done, abort: () => xhr.abort() };
}
