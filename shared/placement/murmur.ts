/**
 * MurmurHash3_x86_32 (Austin Appleby, public domain), split so that placement can hash an
 * 8-byte key `nodeWord ‖ shardWord` with the node's half precomputed: per (node, shard)
 * pair only the second block and the finaliser run (DESIGN §9 "Rendezvous cost").
 */

// Hot loops use module-level aliases, not `Math.imul`: under Jest, modules run in a vm
// context whose global lookups go through an interceptor, measured ~100× slower per call.
const imul = Math.imul;

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** The per-block key mix: k·c1, rotl 15, ·c2. */
export function mixBlock(k: number): number {
  k = imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return imul(k, C2) >>> 0;
}

/** Folds a mixed block into the state: h ^= k, rotl 13, h·5 + 0xe6546b64. */
export function foldBlock(h: number, mixedK: number): number {
  h ^= mixedK;
  h = (h << 13) | (h >>> 19);
  return (imul(h, 5) + 0xe6546b64) >>> 0;
}

/** The murmur3 finaliser (fmix32). */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The whole hash over bytes, as published. Placement never calls it on its hot path; it is
 * the reference the split form is tested against.
 */
export function murmur3x86_32(bytes: Uint8Array, seed = 0): number {
  let h = seed >>> 0;
  const blocks = bytes.length >>> 2;
  for (let i = 0; i < blocks; i++) {
    const o = i * 4;
    const k = bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16) | (bytes[o + 3] << 24);
    h = foldBlock(h, mixBlock(k));
  }
  const rest = bytes.length & 3;
  if (rest > 0) {
    const tail = blocks * 4;
    let k = 0;
    for (let j = rest - 1; j >= 0; j--) k = (k << 8) | bytes[tail + j];
    h ^= mixBlock(k);
  }
  return fmix32(h ^ bytes.length);
}
