import { base32nopad } from '@scure/base';

/**
 * Content ids as mediorum computes them (reference/mediorum.md §2; `cidutil.ComputeFileCID`):
 * go-cid's zero-value `V1Builder{}` over the file's sha2-256 multihash. A zero builder has
 * codec 0x00 and multihash type 0x00 (identity), so the CID wraps the 34-byte sha2-256
 * multihash in an identity multihash: bytes `01 00 00 22 12 20 <digest>`, written as
 * multibase base32 (`b` + RFC 4648 lower case, no padding) — the `baeaaaiq…` ids the network
 * uses. The digest is the one our pipeline already records for every file, so a CID is never
 * computed by hashing again.
 */
const PREFIX = Uint8Array.from([0x01, 0x00, 0x00, 0x22, 0x12, 0x20]);
const DIGEST_BYTES = 32;
/** 'b' + base32 of 38 bytes: 62 characters. */
const CID_RE = /^baeaaaiq[a-z2-7]{54}$/;

/** The CID of a file whose sha256 (lower-case hex) is `sha256`. */
export function cidOfSha256(sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new TypeError(`not a sha256 hex digest: ${sha256}`);
  const bytes = new Uint8Array(PREFIX.length + DIGEST_BYTES);
  bytes.set(PREFIX);
  bytes.set(Buffer.from(sha256, 'hex'), PREFIX.length);
  return 'b' + base32nopad.encode(bytes).toLowerCase();
}

/** The sha256 (hex) inside a CID of this kind, or null when `cid` is not one. */
export function sha256OfCid(cid: unknown): string | null {
  if (typeof cid !== 'string' || !CID_RE.test(cid)) return null;
  let bytes: Uint8Array;
  try {
    bytes = base32nopad.decode(cid.slice(1).toUpperCase());
  } catch {
    return null;
  }
  if (bytes.length !== PREFIX.length + DIGEST_BYTES) return null;
  if (!PREFIX.every((b, i) => bytes[i] === b)) return null;
  return Buffer.from(bytes.subarray(PREFIX.length)).toString('hex');
}

export function isCid(value: unknown): value is string {
  return sha256OfCid(value) !== null;
}
