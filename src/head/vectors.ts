/**
 * Small vector helpers for embeddings.
 *
 * @module
 */

/** Scale a vector to unit length (a zero vector is returned unchanged). */
export function normalize(v: ArrayLike<number>): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const n = Math.sqrt(s) || 1;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] / n;
  return out;
}

/** Euclidean distance. */
export function distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

/** Unit-length mean of vectors, or undefined for none. */
export function centroid(vectors: readonly ArrayLike<number>[]): Float32Array | undefined {
  if (vectors.length === 0) return undefined;
  const sum = new Float32Array(vectors[0].length);
  for (const v of vectors) for (let i = 0; i < sum.length; i++) sum[i] += v[i];
  return normalize(sum);
}
