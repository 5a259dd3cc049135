import { bytesToHex } from '@noble/hashes/utils';
import { recoverPersonalSigner } from './eth-signature';

/**
 * Key recovery is the one expensive step of a stream signature (bench/access.ts: ~2.5 ms on
 * this machine), and a player sends the same signed URL for every range request of a track.
 * Recovery is a pure function of (digest, signature), so its result is remembered; the time
 * window, name and signer checks still run on every request. Bounded: oldest entries go first.
 */
const LIMIT = 10_000;
const recovered = new Map<string, string>();

export function recoverCached(digest: Uint8Array, signature: string): string {
  const key = `${bytesToHex(digest)}:${signature}`;
  const hit = recovered.get(key);
  if (hit) return hit;
  const signer = recoverPersonalSigner(digest, signature); // throws on a bad signature: not cached
  if (recovered.size >= LIMIT) recovered.delete(recovered.keys().next().value!);
  recovered.set(key, signer);
  return signer;
}
