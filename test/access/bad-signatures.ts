import { secp256k1 } from '@noble/curves/secp256k1';
import type { ErrorCode } from '../../shared/errors';
import type { TestWallet } from './signing';

/**
 * The bad-signature table (issue 11): each case and the one code it must be refused with.
 * Shared by the unit test (the verifier itself) and the cluster test (the same over HTTP).
 */
export interface BadCase {
  name: string;
  code: ErrorCode;
  /** The `?signature=` value(s) to send. */
  signature: () => Promise<string | string[]>;
}

const HOUR = 3600_000;

export function badStreamCases(w: {
  allowed: TestWallet;
  stranger: TestWallet;
  fileName: string;
  otherFileName: string;
  now: number;
}): BadCase[] {
  const { allowed, fileName, now } = w;
  const good = (extra: Record<string, unknown> = {}) =>
    allowed.envelope({ fileName, timestamp: now, ...extra });
  const withSig = async (edit: (sig: string) => string) => {
    const env = JSON.parse(await good());
    return JSON.stringify({ ...env, signature: edit(env.signature) });
  };
  const signedText = async (text: string) =>
    JSON.stringify({ data: text, signature: await allowed.signHashOf(text) });
  return [
    {
      name: 'wrong signer (a valid key that is not allowed)',
      code: 'SIGNATURE_SIGNER_NOT_ALLOWED',
      signature: () => w.stranger.envelope({ fileName, timestamp: now }),
    },
    {
      name: 'expired (49 h old)',
      code: 'SIGNATURE_EXPIRED',
      signature: () => good({ timestamp: now - 49 * HOUR }),
    },
    {
      name: 'future timestamp (10 min ahead)',
      code: 'SIGNATURE_FROM_FUTURE',
      signature: () => good({ timestamp: now + 10 * 60_000 }),
    },
    {
      name: 'name mismatch (signed for another file)',
      code: 'SIGNATURE_NAME_MISMATCH',
      signature: () => allowed.envelope({ fileName: w.otherFileName, timestamp: now }),
    },
    {
      name: 'cid names another file',
      code: 'SIGNATURE_NAME_MISMATCH',
      signature: () => allowed.envelope({ cid: w.otherFileName, timestamp: now }),
    },
    {
      name: 'upload_id of another upload',
      code: 'SIGNATURE_UPLOAD_ID_MISMATCH',
      signature: () => good({ upload_id: 'zzzzzzzzzzzzzzzzzzzzzzzzz' }),
    },
    {
      name: 'malformed JSON',
      code: 'SIGNATURE_NOT_JSON',
      signature: async () => '{"data": "{}", "signature": ',
    },
    { name: 'envelope is an array', code: 'SIGNATURE_BAD_ENVELOPE', signature: async () => '[1,2]' },
    {
      name: 'envelope without signature',
      code: 'SIGNATURE_BAD_ENVELOPE',
      signature: async () => JSON.stringify({ data: JSON.stringify({ fileName, timestamp: now }) }),
    },
    {
      name: 'data is an object, not a string',
      code: 'SIGNATURE_DATA_NOT_STRING',
      signature: async () => JSON.stringify({ data: { fileName, timestamp: now }, signature: '0x00' }),
    },
    {
      name: 'data is not JSON',
      code: 'SIGNATURE_DATA_NOT_JSON',
      signature: () => signedText('fileName=' + fileName),
    },
    {
      name: 'data holds a number JSON.parse reads as Infinity (1e400): no canonical form',
      code: 'SIGNATURE_DATA_NOT_JSON',
      signature: () => signedText(`{"fileName":"${fileName}","timestamp":${now},"x":1e400}`),
    },
    {
      name: 'data is a JSON array',
      code: 'SIGNATURE_DATA_NOT_OBJECT',
      signature: () => signedText(JSON.stringify([fileName, now])),
    },
    {
      name: 'missing timestamp',
      code: 'SIGNATURE_BAD_TIMESTAMP',
      signature: () => allowed.envelope({ fileName }),
    },
    {
      name: 'timestamp as a string',
      code: 'SIGNATURE_BAD_TIMESTAMP',
      signature: () => good({ timestamp: String(now) }),
    },
    {
      name: 'timestamp in seconds is older than the window',
      code: 'SIGNATURE_EXPIRED',
      signature: () => good({ timestamp: Math.floor(now / 1000) }),
    },
    {
      name: "missing file name (an upload envelope: another route's data)",
      code: 'SIGNATURE_MISSING_NAME',
      signature: () => allowed.envelope({ timestamp: now }),
    },
    { name: 'bad hex', code: 'SIGNATURE_BAD_HEX', signature: () => withSig((s) => s.slice(0, -2) + 'zz') },
    {
      name: 'wrong length (64 bytes)',
      code: 'SIGNATURE_BAD_LENGTH',
      signature: () => withSig((s) => s.slice(0, -2)),
    },
    { name: 'empty signature hex', code: 'SIGNATURE_BAD_LENGTH', signature: () => withSig(() => '0x') },
    {
      name: 'v = 29',
      code: 'SIGNATURE_BAD_RECOVERY',
      signature: () => withSig((s) => s.slice(0, -2) + '1d'),
    },
    {
      name: 'high s (the malleable twin of a valid signature)',
      code: 'SIGNATURE_HIGH_S',
      signature: () => withSig(highS),
    },
    {
      name: 'r = 0',
      code: 'SIGNATURE_NOT_ON_CURVE',
      signature: () => withSig((s) => '0x' + '0'.repeat(64) + s.slice(66)),
    },
    // The last byte of s: s stays low and r a curve point, so the key recovers, just another one.
    {
      name: 'flipped byte in the signature',
      code: 'SIGNATURE_SIGNER_NOT_ALLOWED',
      signature: () => withSig((s) => s.slice(0, 128) + flip(s.slice(128, 130)) + s.slice(130)),
    },
    {
      name: 'data changed after signing',
      code: 'SIGNATURE_SIGNER_NOT_ALLOWED',
      signature: async () => {
        const env = JSON.parse(await good());
        return JSON.stringify({ ...env, data: env.data.replace(String(now), String(now - 1)) });
      },
    },
    {
      name: 'signed unsorted JSON (not the canonical form)',
      code: 'SIGNATURE_SIGNER_NOT_ALLOWED',
      signature: () => signedText(`{"timestamp":${now},"fileName":"${fileName}"}`),
    },
    { name: 'empty', code: 'SIGNATURE_EMPTY', signature: async () => '' },
    {
      name: 'huge (> 8 KB)',
      code: 'SIGNATURE_TOO_LARGE',
      signature: () => good({ padding: 'x'.repeat(9000) }),
    },
    { name: 'given twice', code: 'SIGNATURE_REPEATED', signature: async () => [await good(), await good()] },
  ];
}

/** The same signature with s → n - s and v flipped: valid math, refused by EIP-2. */
function highS(sig: string): string {
  const n = secp256k1.CURVE.n;
  const s = BigInt('0x' + sig.slice(66, 130));
  const v = parseInt(sig.slice(130), 16);
  return sig.slice(0, 66) + (n - s).toString(16).padStart(64, '0') + (v === 27 ? '1c' : '1b');
}

function flip(byteHex: string): string {
  return (parseInt(byteHex, 16) ^ 0xff).toString(16).padStart(2, '0');
}
