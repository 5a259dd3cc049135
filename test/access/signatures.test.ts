import { ERRORS, isStorageError } from '../../shared/errors';
import { canonicalize } from '../../shared/access/jcs';
import { envelopeDigest, signEnvelope, verifyEnvelope } from '../../shared/access/signed-envelope';
import {
  signStreamUrl,
  verifyStreamSignature,
  type StreamSignatureRules,
} from '../../shared/access/stream-signature';
import { uploaderWallet } from '../../shared/access/upload-signature';
import { loadConfig } from '../../shared/config';
import { hexToBytes } from '@noble/hashes/utils';
import { badStreamCases } from './bad-signatures';
import { loadViem, testWallet } from './signing';

const FILE = 'abcdefghijklmnopqrstuvwxy_320.mp3';
const OTHER = 'abcdefghijklmnopqrstuvwxz_320.mp3';
const HOUR = 3600_000;
const now = Date.now();
const allowed = testWallet();
const stranger = testWallet();
let viem: Awaited<ReturnType<typeof loadViem>>;
beforeAll(async () => {
  viem = await loadViem();
});
const rules: StreamSignatureRules = {
  isAllowedSigner: (a) => a === allowed.address,
  windowMs: 48 * HOUR,
  skewMs: 120_000,
};

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isStorageError(err)) return err.code;
    throw err;
  }
  return 'ACCEPTED';
}

describe('JCS (RFC 8785)', () => {
  test('sorts keys by UTF-16 code units at every depth and writes numbers as ECMAScript does', () => {
    // RFC 8785 §3.2.3's keys: the surrogate pair of U+1F600 sorts before U+FB33 (code units, not code points).
    const value = {
      b: [1e21, 0.1, -0, { z: 1, a: null }],
      a: 'é\u2028"',
      '\ufb33': 0,
      '\u20ac': true,
      '\ud83d\ude00': false,
      '1': 1,
    };
    expect(canonicalize(value)).toBe(
      '{"1":1,"a":"é\u2028\\"","b":[1e+21,0.1,0,{"a":null,"z":1}],"\u20ac":true,"\ud83d\ude00":false,"\ufb33":0}',
    );
  });

  test('equals JSON.stringify of key-sorted data, the SDK recipe, for stream and upload data', () => {
    const data = { timestamp: now, cid: FILE, trackId: 7, userId: 3, shouldCache: 1 };
    const sorted = JSON.stringify(
      Object.fromEntries(Object.entries(data).sort(([a], [b]) => (a < b ? -1 : 1))),
    );
    expect(canonicalize(data)).toBe(sorted);
  });
});

describe('signatures made by viem verify with ours', () => {
  test('a stream URL signed as discovery / the SDK sign it', async () => {
    const signature = await allowed.envelope({
      cid: FILE,
      timestamp: now,
      trackId: 1,
      userId: 2,
      shouldCache: 1,
    });
    expect(verifyStreamSignature(signature, FILE, rules, now)).toBe(allowed.address);
  });

  test('a stream URL naming the file as fileName, with v as 0/1 instead of 27/28', async () => {
    const env = JSON.parse(await allowed.envelope({ fileName: FILE, timestamp: now }));
    const v = parseInt(env.signature.slice(130), 16) - 27;
    const lowV = JSON.stringify({
      ...env,
      signature: env.signature.slice(0, 130) + v.toString(16).padStart(2, '0'),
    });
    expect(verifyStreamSignature(lowV, FILE, rules, now)).toBe(allowed.address);
  });

  test('an upload envelope exactly as the SDK sends it ({"timestamp"} only)', async () => {
    const signature = await stranger.envelope({ timestamp: now });
    const config = loadConfig({ AUDIUS_UPLOAD_MODE: 'signed' });
    expect(uploaderWallet(signature, config, now)).toBe(stranger.address);
  });

  test('and ours verify with viem: the same digest, the same recovered address', async () => {
    const data = { fileName: FILE, timestamp: now };
    const env = JSON.parse(signStreamUrl(hexToBytes(allowed.privateKey.slice(2)), FILE, now));
    expect(JSON.parse(env.data)).toEqual(data);
    expect(Buffer.from(envelopeDigest(data)).toString('hex')).toBe(
      viem.keccak256(viem.toBytes(JSON.stringify(data))).slice(2),
    );
    const recovered = await viem.recoverMessageAddress({
      message: { raw: envelopeDigest(data) },
      signature: env.signature,
    });
    expect(recovered.toLowerCase()).toBe(allowed.address);
    expect(signEnvelope(hexToBytes(allowed.privateKey.slice(2)), data)).toBe(await allowed.envelope(data));
  });
});

describe('bad stream signatures: each refused with its own code', () => {
  const cases = badStreamCases({ allowed, stranger, fileName: FILE, otherFileName: OTHER, now });

  test('the table has at least 20 cases and a valid signature passes the same checks', async () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
    expect(
      verifyStreamSignature(await allowed.envelope({ fileName: FILE, timestamp: now }), FILE, rules, now),
    ).toBe(allowed.address);
  });

  test.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const raw = await c.signature();
    expect(codeOf(() => verifyStreamSignature(raw, FILE, rules, now))).toBe(c.code);
    expect(ERRORS[c.code].status).toBeGreaterThanOrEqual(400);
  });

  test('at the edges of the window: 48 h old and 2 min ahead pass, one ms more does not', async () => {
    const at = (t: number) => allowed.envelope({ fileName: FILE, timestamp: t });
    expect(codeOf(() => verifyStreamSignature('', FILE, rules, now))).toBe('SIGNATURE_EMPTY');
    const oldest = await at(now - 48 * HOUR);
    const newest = await at(now + 120_000);
    expect(verifyStreamSignature(oldest, FILE, rules, now)).toBe(allowed.address);
    expect(verifyStreamSignature(newest, FILE, rules, now)).toBe(allowed.address);
    expect(codeOf(() => verifyStreamSignature(oldest, FILE, rules, now + 1))).toBe('SIGNATURE_EXPIRED');
    expect(codeOf(() => verifyStreamSignature(newest, FILE, rules, now - 1))).toBe('SIGNATURE_FROM_FUTURE');
  });
});

test('a repeated signature (recovery remembered) is still checked for time, name and signer', async () => {
  const raw = await allowed.envelope({ fileName: FILE, timestamp: now });
  expect(verifyStreamSignature(raw, FILE, rules, now)).toBe(allowed.address);
  expect(verifyStreamSignature(raw, FILE, rules, now)).toBe(allowed.address);
  expect(codeOf(() => verifyStreamSignature(raw, FILE, rules, now + 48 * HOUR + 1))).toBe(
    'SIGNATURE_EXPIRED',
  );
  expect(codeOf(() => verifyStreamSignature(raw, OTHER, rules, now))).toBe('SIGNATURE_NAME_MISMATCH');
  const nobody = { ...rules, isAllowedSigner: () => false };
  expect(codeOf(() => verifyStreamSignature(raw, FILE, nobody, now))).toBe('SIGNATURE_SIGNER_NOT_ALLOWED');
});

describe('upload signatures', () => {
  const signed = loadConfig({ AUDIUS_UPLOAD_MODE: 'signed' });
  // Listed in mixed case (EIP-55 style): listed wallets are compared lower-cased.
  const allowlist = () =>
    loadConfig({
      AUDIUS_UPLOAD_MODE: 'allowlist',
      AUDIUS_UPLOAD_WALLETS: allowed.address.toUpperCase().replace('0X', '0x'),
    });
  const open = loadConfig({ AUDIUS_UPLOAD_MODE: 'open' });

  test('signed mode: a fresh envelope of any wallet passes; none, a replayed one or a bad one is refused', async () => {
    expect(uploaderWallet(await stranger.envelope({ timestamp: now }), signed, now)).toBe(stranger.address);
    expect(codeOf(() => uploaderWallet(undefined, signed, now))).toBe('UPLOAD_SIGNATURE_REQUIRED');
    const replay = await stranger.envelope({ timestamp: now - HOUR - 1 });
    expect(codeOf(() => uploaderWallet(replay, signed, now))).toBe('SIGNATURE_EXPIRED');
    const env = JSON.parse(await stranger.envelope({ timestamp: now }));
    const tampered = JSON.stringify({ ...env, data: JSON.stringify({ timestamp: now + 1 }) });
    // Another wallet recovers: in signed mode that is another uploader, so it is recorded as such.
    expect(uploaderWallet(tampered, signed, now)).not.toBe(stranger.address);
    expect(
      codeOf(() =>
        uploaderWallet(JSON.stringify({ data: { timestamp: now }, signature: env.signature }), signed, now),
      ),
    ).toBe('SIGNATURE_DATA_NOT_STRING');
  });

  test('allowlist mode: listed wallets only', async () => {
    expect(uploaderWallet(await allowed.envelope({ timestamp: now }), allowlist(), now)).toBe(
      allowed.address,
    );
    expect(codeOf(() => uploaderWallet(undefined, allowlist(), now))).toBe('UPLOAD_SIGNATURE_REQUIRED');
    const other = await stranger.envelope({ timestamp: now });
    expect(codeOf(() => uploaderWallet(other, allowlist(), now))).toBe('UPLOAD_WALLET_NOT_ALLOWED');
  });

  test('open mode: unsigned passes with no wallet; a signature that is sent is still checked', async () => {
    expect(uploaderWallet(undefined, open, now)).toBeUndefined();
    expect(uploaderWallet(await allowed.envelope({ timestamp: now }), open, now)).toBe(allowed.address);
    expect(codeOf(() => uploaderWallet('{', open, now))).toBe('SIGNATURE_NOT_JSON');
  });

  test('an envelope of another kind (stream URL, delist request) is not an upload signature', async () => {
    const others = [
      { fileName: FILE, timestamp: now },
      { cid: FILE, timestamp: now, trackId: 1, upload_id: 'abcdefghijklmnopqrstuvwxy' },
      { fileName: 'abcdefghijklmnopqrstuvwxy', action: 'delist', type: 'storage-delist', timestamp: now },
      { timestamp: now, action: 'relist' },
    ];
    for (const data of others) {
      const envelope = await allowed.envelope(data);
      for (const mode of [signed, allowlist(), open])
        expect([data, codeOf(() => uploaderWallet(envelope, mode, now))]).toEqual([
          data,
          'UPLOAD_SIGNATURE_WRONG_KIND',
        ]);
    }
  });

  test('an envelope is checked on its own: no name needed, but the time window applies', () => {
    expect(codeOf(() => verifyEnvelope('x'.repeat(9000), 1000, 0, now))).toBe('SIGNATURE_TOO_LARGE');
  });
});
