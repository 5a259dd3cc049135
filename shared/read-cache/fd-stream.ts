import fs from 'node:fs';
import { Readable } from 'node:stream';
import { StorageError } from '../errors';
import type { OpenFile } from './open-files';

/**
 * Bytes `start`..`end` (inclusive) of a leased open file, read in `chunkBytes` preads. The
 * lease is released once no read is in flight — on the last byte, an error or the reader
 * going away — never under a pending read (see OpenFile). fs.ReadStream on a shared fd does
 * not promise that with autoClose off.
 */
export class FdRangeStream extends Readable {
  private position: number;
  private reading = false;
  private released = false;
  private onIdle: (() => void) | undefined;

  constructor(
    private readonly file: OpenFile,
    start: number,
    private readonly end: number,
    private readonly chunkBytes: number,
  ) {
    // One chunk read ahead while the socket sends the previous one.
    super({ highWaterMark: chunkBytes });
    this.position = start;
  }

  override _read(): void {
    const length = Math.min(this.chunkBytes, this.end - this.position + 1);
    if (length <= 0) {
      this.release();
      this.push(null);
      return;
    }
    this.reading = true;
    // Its own allocation per chunk: the socket may still hold the previous one.
    const buffer = Buffer.allocUnsafeSlow(length);
    fs.read(this.file.fd, buffer, 0, length, this.position, (err, bytesRead) => {
      this.reading = false;
      this.onIdle?.();
      if (this.destroyed) return;
      if (err)
        return this.destroy(new StorageError('STORAGE_UNAVAILABLE', `read: ${err.code}`, { cause: err }));
      if (bytesRead === 0)
        return this.destroy(
          new StorageError('STORAGE_UNAVAILABLE', 'stored copy is shorter than its recorded size'),
        );
      this.position += bytesRead;
      this.push(bytesRead === length ? buffer : buffer.subarray(0, bytesRead));
    });
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    const finish = () => {
      this.release();
      done(err);
    };
    if (this.reading) this.onIdle = finish;
    else finish();
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    this.file.release();
  }
}

/**
 * One range that fits a buffer (a player's seek), read on the calling thread, as nginx reads
 * (issue 14): a pread of 64 KiB from the page cache costs microseconds, while handing it to
 * the libuv pool costs two thread wake-ups, which on a loaded machine dominate the request.
 * The lease is the caller's.
 */
export function readRangeSync(file: OpenFile, start: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafeSlow(length);
  let at = 0;
  while (at < length) {
    let bytesRead: number;
    try {
      bytesRead = fs.readSync(file.fd, buffer, at, length - at, start + at);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new StorageError('STORAGE_UNAVAILABLE', `read: ${code ?? String(err)}`, { cause: err });
    }
    if (bytesRead === 0)
      throw new StorageError('STORAGE_UNAVAILABLE', 'stored copy is shorter than its recorded size');
    at += bytesRead;
  }
  return buffer;
}
