import { keccak_256 } from '@noble/hashes/sha3';
import { utf8ToBytes } from '@noble/hashes/utils';
import { StorageError, type ErrorCode } from '../errors';
import { signPersonalMessage, SignatureError, type SignatureFault } from './eth-signature';
import { canonicalize } from './jcs';
import { recoverCached } from './recover-cache';

/**
 * The signed envelope the Audius network passes in `?signature=` (reference/mediorum.md §5):
 * `{"data":"<JSON string>","signature":"0x…"}`. The signer signed, as an EIP-191 personal
 * message, the 32-byte keccak256 of the JCS form of `data` (discovery and the SDK sign
 * `JSON.stringify` of key-sorted data, which is the same bytes for the data they send).
 */

/** Larger envelopes are refused before parsing: real ones are a few hundred bytes. */
export const MAX_ENVELOPE_BYTES = 8 * 1024;

export interface VerifiedEnvelope {
  /** Lower-case address that signed. */
  signer: string;
  /** The parsed `data` object. */
  data: Record<string, unknown>;
  /** `data.timestamp`: ms since epoch. */
  timestamp: number;
}

const FAULT_CODES: Record<SignatureFault, ErrorCode> = {
  BAD_HEX: 'SIGNATURE_BAD_HEX',
  BAD_LENGTH: 'SIGNATURE_BAD_LENGTH',
  BAD_RECOVERY: 'SIGNATURE_BAD_RECOVERY',
  HIGH_S: 'SIGNATURE_HIGH_S',
  NOT_ON_CURVE: 'SIGNATURE_NOT_ON_CURVE',
};

/** The bytes a signer signs for `data` (before the EIP-191 envelope). */
export function envelopeDigest(data: Record<string, unknown>): Uint8Array {
  return keccak_256(utf8ToBytes(canonicalize(data)));
}

/** `?signature=` value for `data`, signed with `privateKey` (tests, the sign-url script). */
export function signEnvelope(privateKey: Uint8Array, data: Record<string, unknown>): string {
  const signature = signPersonalMessage(privateKey, envelopeDigest(data));
  return JSON.stringify({ data: JSON.stringify(data), signature });
}

/**
 * Parses the envelope, recovers its signer and checks that `data.timestamp` lies within
 * [now - windowMs, now + skewMs]. Who may sign and what `data` must name are the caller's.
 * Throws a StorageError whose code names the first check that failed.
 */
export function verifyEnvelope(
  raw: unknown,
  windowMs: number,
  skewMs: number,
  now = Date.now(),
): VerifiedEnvelope {
  if (Array.isArray(raw)) throw refuse('SIGNATURE_REPEATED', 'signature is given more than once');
  if (typeof raw !== 'string' || raw.length === 0) throw refuse('SIGNATURE_EMPTY', 'signature is empty');
  if (Buffer.byteLength(raw) > MAX_ENVELOPE_BYTES)
    throw refuse('SIGNATURE_TOO_LARGE', `signature is larger than ${MAX_ENVELOPE_BYTES} bytes`);
  const envelope = parseJson(raw, 'SIGNATURE_NOT_JSON', 'signature is not JSON');
  if (!isObject(envelope) || !('data' in envelope) || typeof envelope.signature !== 'string')
    throw refuse('SIGNATURE_BAD_ENVELOPE', 'signature must be {"data": "<JSON>", "signature": "0x…"}');
  if (typeof envelope.data !== 'string')
    throw refuse('SIGNATURE_DATA_NOT_STRING', 'signature data must be a JSON string, not a JSON value');
  const data = parseJson(envelope.data, 'SIGNATURE_DATA_NOT_JSON', 'signature data is not JSON');
  if (!isObject(data)) throw refuse('SIGNATURE_DATA_NOT_OBJECT', 'signature data must be a JSON object');
  const timestamp = data.timestamp;
  if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp <= 0)
    throw refuse('SIGNATURE_BAD_TIMESTAMP', 'signature data needs a timestamp in ms');
  // Time first: a stale or future envelope costs no key recovery (bench/access.ts).
  if (timestamp < now - windowMs)
    throw refuse('SIGNATURE_EXPIRED', 'signature is older than its validity window');
  if (timestamp > now + skewMs) throw refuse('SIGNATURE_FROM_FUTURE', 'signature timestamp is in the future');
  let digest: Uint8Array;
  try {
    digest = envelopeDigest(data);
  } catch {
    // JSON.parse reads 1e400 as Infinity, which has no canonical form (RFC 8785 §3.2.2.3).
    throw refuse(
      'SIGNATURE_DATA_NOT_JSON',
      'signature data has no canonical JSON form (a number out of range?)',
    );
  }
  try {
    return { signer: recoverCached(digest, envelope.signature), data, timestamp };
  } catch (err) {
    if (err instanceof SignatureError) throw refuse(FAULT_CODES[err.fault], `signature: ${err.message}`);
    throw err;
  }
}

export function refuse(code: ErrorCode, message: string): StorageError {
  return new StorageError(code, message);
}

function parseJson(text: string, code: ErrorCode, message: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw refuse(code, message);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A JSON object body (not an array, not a class instance): what signed requests arrive as. */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * A signed request sent as a body (delist, drain): the envelope as a JSON object or as text,
 * verified as `verifyEnvelope` does. Anything else is `badRequest` (a 400 of the caller's).
 */
export function verifyEnvelopeBody(
  body: unknown,
  badRequest: ErrorCode,
  what: string,
  windowMs: number,
  skewMs: number,
  now = Date.now(),
): VerifiedEnvelope {
  if (typeof body !== 'string' && !isPlainObject(body))
    throw new StorageError(badRequest, `${what} is the signed envelope as a JSON object`);
  return verifyEnvelope(typeof body === 'string' ? body : JSON.stringify(body), windowMs, skewMs, now);
}
