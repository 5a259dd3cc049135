import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { StorageError } from '../errors';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Lower-case hex SHA-256 (the form every driver records), or VALIDATION_FAILED. */
export function normaliseSha256(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const hex = value.toLowerCase();
  if (!SHA256_HEX.test(hex)) {
    throw new StorageError(
      'VALIDATION_FAILED',
      `expected sha256 must be 64 hex characters, got ${JSON.stringify(value)}`,
    );
  }
  return hex;
}

/**
 * Pass-through that hashes and counts what flows through it. With an expected digest it fails
 * at the end instead of ending: every driver commits only after its input *ends*, so a mismatch
 * is an error before the commit and the object never appears (DESIGN §9: verify digests ourselves).
 */
export class DigestStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;
  private hex: string | undefined;

  constructor(
    private readonly expected?: string,
    private readonly expectedSize?: number,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    // Stop at the first byte past the expected size: a sender that never stops (a hostile
    // peer) must not fill the disk before the check at the end.
    if (this.expectedSize !== undefined && this.bytes > this.expectedSize) {
      done(
        new StorageError(
          'DIGEST_MISMATCH',
          `size mismatch: more than the expected ${this.expectedSize} bytes`,
        ),
      );
      return;
    }
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    this.hex = this.hash.digest('hex');
    if (this.expectedSize !== undefined && this.bytes !== this.expectedSize) {
      done(
        new StorageError(
          'DIGEST_MISMATCH',
          `size mismatch: expected ${this.expectedSize} bytes, got ${this.bytes}`,
        ),
      );
    } else if (this.expected !== undefined && this.hex !== this.expected) {
      done(
        new StorageError('DIGEST_MISMATCH', `sha256 mismatch: expected ${this.expected}, got ${this.hex}`),
      );
    } else {
      done();
    }
  }

  get size(): number {
    return this.bytes;
  }

  /** The hex digest; only after the stream has ended. */
  get sha256(): string {
    if (this.hex === undefined) throw new Error('DigestStream: digest read before the end of the stream');
    return this.hex;
  }
}
