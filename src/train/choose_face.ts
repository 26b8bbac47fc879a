/**
 * Which face of a training photo is the labelled person? A photo in `Messi/` may also show
 * teammates and fans. Each person's centroid is first built from the photos with exactly one face,
 * then every photo contributes the face nearest its own person's centroid; two refinement rounds
 * let the multi-face photos sharpen the centroids too.
 *
 * @module
 */
import { centroid, distance } from "../head/vectors.ts";

/** A photo's candidate faces, as unit-length embeddings. */
export interface PhotoFaces {
  label: string;
  embeddings: Float32Array[];
  /** Face areas, used only to seed people who have no single-face photo. */
  areas: number[];
  /**
   * The face a file name marks as the person (see `dataset/face_marker.ts`): always chosen, and it
   * seeds the centroid like a single-face photo.
   */
  pinned?: number;
}

/** The choice for one photo. */
export interface FaceChoice {
  /** Index of the chosen face, or -1 when no face is close enough to the person's centroid. */
  index: number;
  /** Euclidean distance of the chosen (or nearest) face to its person's centroid. */
  distance: number;
}

/** Options of {@linkcode chooseFaces}. */
export interface ChooseOptions {
  /** A face farther than this from its person's centroid is not taken (unit embeddings: 0..2). */
  maxDistance?: number;
  /** Refinement rounds after the single-face seeding. */
  rounds?: number;
}

/** Default distance limit: between the same-person and different-person distances of unit dlib descriptors. */
export const DEFAULT_MAX_DISTANCE = 0.9;

/**
 * Choose the labelled person's face in every photo.
 *
 * @returns one choice per photo, in order, and the final centroids by label.
 */
export function chooseFaces(
  photos: readonly PhotoFaces[],
  options: ChooseOptions = {},
): { choices: FaceChoice[]; centroids: Map<string, Float32Array> } {
  const maxDistance = options.maxDistance ?? DEFAULT_MAX_DISTANCE;
  const rounds = options.rounds ?? 2;
  // Seed: single-face photos; people without any fall back to their largest faces.
  let chosen: number[] = photos.map((p) =>
    p.pinned !== undefined ? p.pinned : p.embeddings.length === 1 ? 0 : -1
  );
  const labels = [...new Set(photos.map((p) => p.label))];
  for (const label of labels) {
    const own = photos.map((p, i) => [p, i] as const).filter(([p]) => p.label === label);
    if (own.some(([p]) => p.embeddings.length === 1 || p.pinned !== undefined)) continue;
    for (const [p, i] of own) {
      if (p.areas.length > 0) chosen[i] = p.areas.indexOf(Math.max(...p.areas));
    }
  }
  let centroids = centroidsOf(photos, chosen);
  let choices: FaceChoice[] = [];
  for (let round = 0; round <= rounds; round++) {
    choices = photos.map((p) => nearest(p, centroids.get(p.label), maxDistance));
    chosen = choices.map((c) => c.index);
    if (round < rounds) centroids = centroidsOf(photos, chosen);
  }
  return { choices, centroids };
}

function centroidsOf(photos: readonly PhotoFaces[], chosen: number[]): Map<string, Float32Array> {
  const byLabel = new Map<string, Float32Array[]>();
  photos.forEach((p, i) => {
    if (chosen[i] < 0) return;
    const list = byLabel.get(p.label) ?? [];
    list.push(p.embeddings[chosen[i]]);
    byLabel.set(p.label, list);
  });
  const out = new Map<string, Float32Array>();
  for (const [label, list] of byLabel) out.set(label, centroid(list)!);
  return out;
}

function nearest(p: PhotoFaces, c: Float32Array | undefined, maxDistance: number): FaceChoice {
  if (p.pinned !== undefined) {
    return { index: p.pinned, distance: c ? distance(p.embeddings[p.pinned], c) : 0 };
  }
  if (!c || p.embeddings.length === 0) return { index: -1, distance: Infinity };
  let best = -1, bestD = Infinity;
  p.embeddings.forEach((e, i) => {
    const d = distance(e, c);
    if (d < bestD) [best, bestD] = [i, d];
  });
  return { index: bestD <= maxDistance ? best : -1, distance: bestD };
}
