import { randomBytes } from 'node:crypto';
import fs from 'node:fs';

export interface MultipartUpload {
  contentType: string;
  /** Bytes of the whole body, so the node sees a Content-Length. */
  length: number;
  /**
   * The body, read from disk as it is sent; `onSent` gets the file bytes sent so far.
   * Reading stops once `signal` aborts: undici may go on pulling an aborted request's body,
   * and a Ctrl-C must not wait for the rest of a large file to be read for nothing.
   */
  body(onSent: (bytes: number) => void, signal?: AbortSignal): AsyncIterable<Uint8Array>;
}

/**
 * The form `POST /storage/file` takes — the `template` field, then one `files` part —
 * streamed from disk, never held in memory, the same as `curl -F files=@… -F template=…`.
 */
export function multipartUpload(
  file: { path: string; name: string; size: number },
  fields: Record<string, string>,
): MultipartUpload {
  const boundary = `----storage-cli-${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    Object.entries(fields)
      .map(
        ([name, value]) =>
          `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
      )
      .join('') +
      `--${boundary}\r\nContent-Disposition: form-data; name="files"; ${fileNameParams(file.name)}\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length: head.length + file.size + tail.length,
    async *body(onSent, signal) {
      yield head;
      let sent = 0;
      for await (const chunk of fs.createReadStream(file.path, { highWaterMark: 256 * 1024 })) {
        if (signal?.aborted) return;
        sent += (chunk as Buffer).length;
        yield chunk as Buffer;
        onSent(sent);
      }
      yield tail;
    },
  };
}

/**
 * An ASCII `filename` for every parser and RFC 5987 `filename*` with the real UTF-8 name
 * (busboy reads the plain parameter as latin1, so a raw UTF-8 name would arrive garbled).
 */
function fileNameParams(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  if (ascii === name) return `filename="${name}"`;
  return `filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
