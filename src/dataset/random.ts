/**
 * A small seeded random generator, so that splits, shuffles and weight initialisation repeat
 * exactly for the same `--seed`.
 *
 * @module
 */

/** A function returning uniform numbers in [0, 1), the same sequence for the same seed. */
export type Random = () => number;

/** Mulberry32: tiny, fast and good enough for shuffling. */
export function seededRandom(seed: number): Random {
  let state = (Math.floor(seed) >>> 0) || 0x9e3779b9;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shuffle a copy of an array (Fisher-Yates). */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
