/**
 * A face's landmarks read twice, from the image and from its mirror image, and averaged. On a
 * tight crop of a face turned or tilted away the landmark network's guess leans to one side; the
 * mirror image leans the other way, so their mean lies closer to the face (see README "Face
 * crops" for the figures).
 *
 * @module
 */
import type { Point } from "./geometry.ts";

/**
 * Which landmark each of the 68 becomes in a horizontally mirrored face (iBUG 300-W order): jaw,
 * brows, nostrils, eyes and lips swap sides; the points on the middle line stay themselves.
 */
export const MIRRORED_LANDMARK: readonly number[] = [
  ...Array.from({ length: 17 }, (_, i) => 16 - i), // jaw 0-16
  ...Array.from({ length: 10 }, (_, i) => 26 - i), // brows 17-26
  27,
  28,
  29,
  30, // nose bridge
  35,
  34,
  33,
  32,
  31, // nostrils 31-35
  45,
  44,
  43,
  42,
  47,
  46, // eye 36-41 becomes eye 42-47
  39,
  38,
  37,
  36,
  41,
  40, // and back
  54,
  53,
  52,
  51,
  50,
  49,
  48,
  59,
  58,
  57,
  56,
  55, // outer lips 48-59
  64,
  63,
  62,
  61,
  60,
  67,
  66,
  65, // inner lips 60-67
];

/**
 * The mean of a face's landmarks `points` and those read from the mirror image of the same crop
 * (`flipped`, in the mirror's own pixels, `width` wide, before the crop's place `at` is applied),
 * mapped back into the image.
 *
 * @example A symmetric reading: the mean is the reading itself
 * ```ts
 * import assert from "node:assert/strict";
 * import { averageMirrored, MIRRORED_LANDMARK } from "./mirror.ts";
 *
 * const points = Array.from({ length: 68 }, (_, k) => ({ x: 10 + k, y: k }));
 * // The mirror image of a 100-wide crop shows point k at x' = 100 - x, under the index it mirrors to.
 * const flipped = points.map((_, k) => points[MIRRORED_LANDMARK[k]]).map((p) => ({ x: 100 - p.x, y: p.y }));
 * const mean = averageMirrored(points, flipped, 100, { x: 0, y: 0, scale: 1 });
 * assert.deepEqual(mean, points);
 * ```
 */
export function averageMirrored(
  points: readonly Point[],
  flipped: readonly Point[],
  width: number,
  at: { x: number; y: number; scale: number },
): Point[] {
  return points.map((p, k) => {
    const q = flipped[MIRRORED_LANDMARK[k]];
    const x = at.x + (width - q.x) * at.scale, y = at.y + q.y * at.scale;
    return { x: (p.x + x) / 2, y: (p.y + y) / 2 };
  });
}
