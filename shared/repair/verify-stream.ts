import { createHash, type Hash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { StorageError } from '../errors';

/**
 * Pass-through that hashes what it serves and holds back the last chunk until the digest is
 * known: a copy that turns out rotten fails before its final bytes leave, so a reader never
 * receives a complete bad file (the response ends short of its Content-Length), and
 * `onMismatch` quarantines it (issue 10 "Scrub": a full GET also checks what it streams).
 */
export class HoldbackVerifyStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private held: Buffer | undefined;

  constructor(
    private readonly expectedSha256: string,
    private readonly onMismatch: (actualSha256: string) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    const previous = this.held;
    this.held = chunk;
    done(null, previous);
  }

  override _flush(done: TransformCallback): void {
    const actual = this.hash.digest('hex');
    if (actual !== this.expectedSha256) {
      this.onMismatch(actual);
      done(new StorageError('DIGEST_MISMATCH', `stored copy is corrupt (sha256 ${actual})`));
      return;
    }
    done(null, this.held);
  }
}

/**
 * `body` as read through a HoldbackVerifyStream: a source error fails the answer, and a reader
 * that stops early (a 304, a client gone) closes the source (its file or connection) too.
 */
export function verifiedBody(
  body: Readable,
  expectedSha256: string,
  onMismatch: (actualSha256: string) => void,
): HoldbackVerifyStream {
  const verify = new HoldbackVerifyStream(expectedSha256, onMismatch);
  body.on('error', (err) => verify.destroy(err));
  verify.on('close', () => body.destroy());
  return body.pipe(verify);
}
