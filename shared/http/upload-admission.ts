import { Transform, type Readable } from 'node:stream';
import type { Config } from '../config';
import { StorageError } from '../errors';

const MINUTE_MS = 60_000;

/**
 * Who may start an upload now (issue 15): at most `uploadsPerClient` in flight and
 * `uploadsPerClientPerMinute` started per client address, and at most `uploadInFlightBytes`
 * of bodies on this node at once (by Content-Length; a body without one counts as the
 * largest file the node takes). One per node: state is in memory.
 */
export class UploadAdmission {
  private readonly inFlight = new Map<string, number>();
  private readonly starts = new Map<string, number[]>();
  private bytes = 0;

  constructor(
    private readonly config: Config,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Admits the upload or throws TOO_MANY_UPLOADS (429) / UPLOADS_BUSY (503); call the result when it ends. */
  admit(client: string, contentLength: number | undefined): () => void {
    const c = this.config;
    const now = this.clock();
    if ((this.inFlight.get(client) ?? 0) >= c.uploadsPerClient)
      throw new StorageError('TOO_MANY_UPLOADS', `At most ${c.uploadsPerClient} uploads at once per client`);
    const recent = (this.starts.get(client) ?? []).filter((t) => now - t < MINUTE_MS);
    if (c.uploadsPerClientPerMinute > 0 && recent.length >= c.uploadsPerClientPerMinute)
      throw new StorageError(
        'TOO_MANY_UPLOADS',
        `At most ${c.uploadsPerClientPerMinute} uploads a minute per client`,
      );
    const size = contentLength ?? c.maxUploadBytes;
    // One upload alone is always let in (up to the file limit), so a big file is never locked out.
    if (this.bytes > 0 && this.bytes + size > c.uploadInFlightBytes)
      throw new StorageError('UPLOADS_BUSY', `${this.bytes} upload bytes are on their way in already`);
    recent.push(now);
    this.starts.set(client, recent);
    this.inFlight.set(client, (this.inFlight.get(client) ?? 0) + 1);
    this.bytes += size;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.bytes -= size;
      const left = (this.inFlight.get(client) ?? 1) - 1;
      if (left > 0) this.inFlight.set(client, left);
      else this.inFlight.delete(client);
      this.forgetOld(this.clock());
    };
  }

  /** Clients with no start in the last minute are dropped, so the maps stay small. */
  private forgetOld(now: number): void {
    for (const [client, times] of this.starts) {
      if (times.every((t) => now - t >= MINUTE_MS)) this.starts.delete(client);
    }
  }
}

const admissions = new WeakMap<Config, UploadAdmission>();

export function uploadAdmission(config: Config): UploadAdmission {
  let a = admissions.get(config);
  if (!a) admissions.set(config, (a = new UploadAdmission(config)));
  return a;
}

/**
 * The body as a stream that fails with UPLOAD_TOO_SLOW (408) when fewer than
 * `minBytesPerSecond × windowMs` bytes arrived in any window: a slow-loris body that trickles
 * a byte now and then (never idle long enough for the socket timeout) is cut.
 */
export function guardUploadRate(body: Readable, minBytesPerSecond: number, windowMs: number): Readable {
  let received = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      done(null, chunk);
    },
  });
  body.on('error', (err) => counted.destroy(err));
  // A client can hang up before the handler reads the body (it first waits for room in the
  // temp store): an 'error' with no listener yet would crash the process. The reader finds
  // the error in `errored` (shared/jobs/upload.ts).
  counted.on('error', () => undefined);
  body.pipe(counted);
  if (minBytesPerSecond <= 0) return counted;
  const floor = (minBytesPerSecond * windowMs) / 1000;
  let last = 0;
  const timer = setInterval(() => {
    // Only a client we were waiting for is slow: a body held back by our own store (a full
    // buffer downstream) is not the client's fault.
    const waitingForClient = counted.readableLength < counted.readableHighWaterMark;
    if (waitingForClient && received - last < floor) {
      body.unpipe(counted);
      counted.destroy(
        new StorageError(
          'UPLOAD_TOO_SLOW',
          `Fewer than ${minBytesPerSecond} bytes a second over ${windowMs / 1000} s`,
        ),
      );
    }
    last = received;
  }, windowMs);
  timer.unref();
  const stop = () => clearInterval(timer);
  counted.once('close', stop);
  counted.once('end', stop);
  body.once('end', stop);
  return counted;
}
