/**
 * Synthetic face descriptors for tests and benchmarks: identities as tight blobs around
 * far-apart random centres, plus strays that belong to nobody.
 *
 * @module
 */
import type { Points } from "./neighbours.ts";
import { seededRandom } from "../dataset/random.ts";

/** Options of {@linkcode syntheticFaces}. */
export interface SyntheticOptions {
  /** Faces per identity. */
  sizes: number[];
  /** Faces of nobody, each around its own centre. */
  strays: number;
  /** Numbers per descriptor. */
  dim: number;
  /** Standard deviation of a face around its identity's centre, per coordinate, times sqrt(dim). */
  spread: number;
  /** Seed of the pseudo-random numbers. */
  seed: number;
}

/**
 * Faces in identity order (identity 0's faces first), then the strays (identity -1 for each).
 * Centres are unit-length directions scaled to 2, so identities are about 2.8 apart.
 */
export function syntheticFaces(options: SyntheticOptions): { points: Points; identity: number[] } {
  const random = gaussian(options.seed);
  const { dim } = options;
  const identity: number[] = [];
  options.sizes.forEach((size, p) => identity.push(...Array(size).fill(p)));
  identity.push(...Array(options.strays).fill(-1));
  const data = new Float32Array(identity.length * dim);
  const centre = () => {
    const c = Array.from({ length: dim }, random);
    const norm = Math.hypot(...c);
    return c.map((x) => (2 * x) / norm);
  };
  const centres = options.sizes.map(centre);
  const sd = options.spread / Math.sqrt(dim);
  identity.forEach((p, i) => {
    const c = p >= 0 ? centres[p] : centre();
    for (let k = 0; k < dim; k++) data[i * dim + k] = c[k] + sd * random();
  });
  return { points: { data, dim }, identity };
}

/** Standard normal numbers from a seeded generator (`seededRandom` + Box-Muller). */
export function gaussian(seed: number): () => number {
  const uniform = seededRandom(seed);
  return () => {
    const u = uniform() || 1e-12;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
}
