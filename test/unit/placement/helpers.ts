import type { NodeSpec } from '../../../shared/placement/mod';

/** mulberry32: a seeded generator, so a failing property run can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomAddress(rand: () => number): string {
  let hex = '';
  for (let i = 0; i < 40; i++) hex += Math.floor(rand() * 16).toString(16);
  return '0x' + hex;
}

export function randomNodes(rand: () => number, count: number, weights: readonly number[] = [1]): NodeSpec[] {
  return Array.from({ length: count }, () => ({
    id: randomAddress(rand),
    weight: weights[Math.floor(rand() * weights.length)],
  }));
}

export function shuffle<T>(items: readonly T[], rand: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The code of what `fn` throws, for asserting codes rather than wording (STYLE §4). */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}
