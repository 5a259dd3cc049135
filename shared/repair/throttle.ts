import { Transform, type TransformCallback } from 'node:stream';

/**
 * A token bucket shared by every stream it throttles: together they pass at most `bytesPerSecond`
 * (0: no limit), with up to one second of burst. Repair pulls and the scrub each have one, so
 * neither can take the disk or the network from foreground reads and uploads (issue 10
 * "Bounded impact").
 */
export class RateLimiter {
  private tokens: number;
  private last = Date.now();

  constructor(readonly bytesPerSecond: number) {
    this.tokens = bytesPerSecond;
  }

  /** Resolves when `bytes` may pass. */
  async take(bytes: number, signal?: AbortSignal): Promise<void> {
    if (this.bytesPerSecond <= 0) return;
    this.refill();
    this.tokens -= bytes;
    if (this.tokens >= 0) return;
    const waitMs = (-this.tokens / this.bytesPerSecond) * 1000;
    if (signal?.aborted) throw signal.reason as Error;
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal!.reason as Error);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, waitMs);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** A pass-through stream that waits for the bucket before each chunk. */
  stream(signal?: AbortSignal): Transform {
    return new Transform({
      transform: (chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) => {
        this.take(chunk.length, signal).then(
          () => done(null, chunk),
          (err: Error) => done(err),
        );
      },
    });
  }

  private refill(): void {
    const now = Date.now();
    this.tokens = Math.min(
      this.bytesPerSecond,
      this.tokens + ((now - this.last) / 1000) * this.bytesPerSecond,
    );
    this.last = now;
  }
}

export function megabytesPerSecond(mb: number): RateLimiter {
  return new RateLimiter(mb * 1_000_000);
}
