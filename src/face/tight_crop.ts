/**
 * Is a small image a tight face crop? Face collections are often cropped already (the classic
 * research sets, exports of other tools): the face fills the picture, and the SSD, trained on
 * faces with context around them, often misses it. The landmark network costs a thirtieth of an
 * SSD pass, so a small image is first read as a crop by landmarks alone: where they find one face
 * filling the picture, and find it again when looked at through the box they imply, no SSD pass
 * is needed.
 *
 * @module
 */
import type { Box, Point } from "./geometry.ts";

/**
 * Where the SSD's box sits around a face's 68 landmarks, in units of the landmarks' extent (the
 * longer side of their bounding box). Medians over the 125 faces of at least 60 px that the first
 * pass found on FC Barcelona Train: the box is as wide as the landmarks (0.95; 10-90%: 0.87-1.07)
 * and reaches above the brows to the forehead (height 1.30, 1.21-1.45; centre 0.14 above theirs).
 */
const SSD_BOX = { width: 0.95, height: 1.3, dy: -0.138 };

/**
 * A tight crop's landmarks span at least this share of the image's longer side. On 60 of the
 * 92x112 head crops made from FC Barcelona (`bench/make_crops.ts`) they spanned 0.38-0.69; on 60
 * FC Barcelona photos shrunk to 256 px, mostly 0.15-0.45.
 */
export const MIN_TIGHT_SPREAD = 0.35;

/**
 * Looked at again through the box they imply, a face's landmarks move by at most this share of
 * their extent (mean over the 68 points). On the same crops, 47 of 60 moved less (most under
 * 0.03); on the shrunk photos, where the network guesses a face that is not there, 3 of 60.
 */
export const MAX_TIGHT_DRIFT = 0.04;

/** The bounding box of points. */
export function boundsOf(points: readonly Point[]): Box {
  const xs = points.map((p) => p.x), ys = points.map((p) => p.y);
  const x = Math.min(...xs), y = Math.min(...ys);
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
}

/**
 * The box the SSD would give a face with these landmarks (see `SSD_BOX`), unclamped.
 *
 * @example A face's box reaches above its brows
 * ```ts
 * import assert from "node:assert/strict";
 * import { boxOfLandmarks } from "./tight_crop.ts";
 *
 * const ring = Array.from({ length: 68 }, (_, i) => ({ x: 50 + 40 * Math.cos(i), y: 60 + 40 * Math.sin(i) }));
 * const box = boxOfLandmarks(ring);
 * assert.ok(box.y < 10 && Math.abs(box.y + box.height - 100) < 5); // landmarks span y 20 to 100
 * ```
 */
export function boxOfLandmarks(landmarks: readonly Point[]): Box {
  const b = boundsOf(landmarks);
  const side = Math.max(b.width, b.height);
  const cx = b.x + b.width / 2, cy = b.y + b.height / 2 + SSD_BOX.dy * side;
  const width = SSD_BOX.width * side, height = SSD_BOX.height * side;
  return { x: cx - width / 2, y: cy - height / 2, width, height };
}

/** What {@linkcode judgeTightCrop} measured, and its verdict. */
export interface TightCropVerdict {
  /** The landmarks' extent over the image's longer side. */
  spread: number;
  /** Mean move of the 68 landmarks between the two looks, over their extent. */
  drift: number;
  /** Whether the image is taken as a tight crop of one face. */
  tight: boolean;
}

/**
 * Judge a small image by two looks of the landmark network: `first`, then `second` on the box
 * that `first` implies ({@linkcode boxOfLandmarks}). Both in image pixels. (The look at the whole
 * image comes before these two: on a head crop with hair and shoulders it lands too loosely to
 * be judged by.)
 *
 * @example Landmarks spanning most of a 92x112 crop, steady between looks: a tight crop
 * ```ts
 * import assert from "node:assert/strict";
 * import { judgeTightCrop } from "./tight_crop.ts";
 *
 * const face = Array.from({ length: 68 }, (_, i) => ({ x: 46 + 30 * Math.cos(i), y: 60 + 35 * Math.sin(i) }));
 * const moved = face.map((p) => ({ x: p.x + 1, y: p.y - 1 }));
 * assert.equal(judgeTightCrop(face, moved, 92, 112).tight, true);
 * assert.equal(judgeTightCrop(face, moved, 250, 250).tight, false); // a small face in a larger picture
 * ```
 */
export function judgeTightCrop(
  first: readonly Point[],
  second: readonly Point[],
  width: number,
  height: number,
): TightCropVerdict {
  const b = boundsOf(first);
  const extent = Math.max(b.width, b.height);
  const spread = extent / Math.max(width, height);
  let moved = 0;
  first.forEach((p, i) => moved += Math.hypot(p.x - second[i].x, p.y - second[i].y));
  const drift = extent > 0 ? moved / first.length / extent : Infinity;
  return { spread, drift, tight: spread >= MIN_TIGHT_SPREAD && drift <= MAX_TIGHT_DRIFT };
}
