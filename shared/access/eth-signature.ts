import { secp256k1 } from '@noble/curves/secp256k1';
import { keccak_256 } from '@noble/hashes/sha3';
import { concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils';
import { publicKeyAddress } from '../identity/wallet';

/**
 * Ethereum "personal message" signatures (EIP-191 version 0x45), as the Audius network makes
 * them (DESIGN §7): sign keccak256("\x19Ethereum Signed Message:\n" + len + message), 65 bytes
 * r‖s‖v, v as 27/28 (0/1 accepted). The one place secp256k1 and keccak meet our code; node
 * requests (./node-request.ts) and stream/upload signatures build on it.
 */

/** Why a signature could not even be checked (a stable reason; callers map it to an error code). */
export type SignatureFault = 'BAD_HEX' | 'BAD_LENGTH' | 'BAD_RECOVERY' | 'HIGH_S' | 'NOT_ON_CURVE';

export class SignatureError extends Error {
  constructor(
    readonly fault: SignatureFault,
    message: string,
  ) {
    super(message);
    this.name = 'SignatureError';
  }
}

/** keccak256 of the EIP-191 personal-message envelope of `message`. */
export function personalMessageHash(message: Uint8Array | string): Uint8Array {
  const bytes = typeof message === 'string' ? utf8ToBytes(message) : message;
  const prefix = utf8ToBytes(`\x19Ethereum Signed Message:\n${bytes.length}`);
  return keccak_256(concatBytes(prefix, bytes));
}

/** `0x` + 130 hex: r ‖ s ‖ v (v = 27 | 28), low-s, as eth_sign / personal_sign produce. */
export function signPersonalMessage(privateKey: Uint8Array, message: Uint8Array | string): string {
  const sig = secp256k1.sign(personalMessageHash(message), privateKey, { lowS: true });
  return `0x${sig.toCompactHex()}${(27 + sig.recovery).toString(16)}`;
}

/**
 * The lower-case address that signed `message`. Throws SignatureError for a signature that is
 * not 65 bytes of hex, has a high s (malleable: EIP-2), or recovers no key.
 */
export function recoverPersonalSigner(message: Uint8Array | string, signature: string): string {
  const hex = signature.startsWith('0x') ? signature.slice(2) : signature;
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0)
    throw new SignatureError('BAD_HEX', 'signature is not hex');
  if (hex.length !== 130) throw new SignatureError('BAD_LENGTH', 'signature is not 65 bytes');
  const bytes = hexToBytes(hex.toLowerCase());
  const v = bytes[64];
  const recovery = v >= 27 ? v - 27 : v;
  if (recovery !== 0 && recovery !== 1)
    throw new SignatureError('BAD_RECOVERY', 'signature v is not 27/28 or 0/1');
  let sig;
  try {
    sig = secp256k1.Signature.fromCompact(bytes.slice(0, 64)).addRecoveryBit(recovery);
  } catch {
    throw new SignatureError('NOT_ON_CURVE', 'signature r or s is out of range');
  }
  if (sig.hasHighS()) throw new SignatureError('HIGH_S', 'signature has a high s value (EIP-2)');
  let point;
  try {
    point = sig.recoverPublicKey(personalMessageHash(message));
  } catch {
    throw new SignatureError('NOT_ON_CURVE', 'signature recovers no public key');
  }
  return publicKeyAddress(point.toRawBytes(false));
}
