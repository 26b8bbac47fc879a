/**
 * Move face rectangles between the upright (displayed) photo and the stored pixels, for each of
 * the 8 EXIF orientations.
 *
 * MWG face regions are relative to the **stored** image: the MWG Guidelines 2.0 (section 5.9)
 * say "Region metadata is applied to the stored image. When applying a rotation by applying Exif
 * Orientation, the rotation must be applied to the regions as well", and
 * `mwg-rs:AppliedToDimensions` holds the stored width and height. digiKam reads them that way
 * (its scanner takes the region relative to the stored size, then rotates it by the orientation),
 * and exiftool's `rotate_regions.config` rotates them when the pixels are rotated. facefit detects
 * faces on the upright photo, so every box crosses this mapping on the way in and out.
 *
 * @module
 */
import type { Orientation } from "../image/exif.ts";

/** A rectangle in normalised coordinates (0..1 of the width and height), top-left corner. */
export interface UnitRect {
  /** Left edge, 0..1 of the width. */
  x: number;
  /** Top edge, 0..1 of the height. */
  y: number;
  /** Width, 0..1 of the width. */
  width: number;
  /** Height, 0..1 of the height. */
  height: number;
}

type PointMap = (u: number, v: number) => [number, number];

/**
 * Where a point of the upright photo lies in the stored pixels, both normalised. Derived from
 * src/image/orient.ts, which builds the upright image from the stored one: e.g. orientation 6
 * (stored rotated 90 degrees anticlockwise) takes upright column u from stored row 1 - u.
 */
const UPRIGHT_TO_STORED: Record<Orientation, PointMap> = {
  1: (u, v) => [u, v],
  2: (u, v) => [1 - u, v],
  3: (u, v) => [1 - u, 1 - v],
  4: (u, v) => [u, 1 - v],
  5: (u, v) => [v, u],
  6: (u, v) => [v, 1 - u],
  7: (u, v) => [1 - v, 1 - u],
  8: (u, v) => [1 - v, u],
};

/** The inverse maps: 6 and 8 undo each other, every other orientation undoes itself. */
const STORED_TO_UPRIGHT: Record<Orientation, PointMap> = {
  ...UPRIGHT_TO_STORED,
  6: UPRIGHT_TO_STORED[8],
  8: UPRIGHT_TO_STORED[6],
};

function mapRect(rect: UnitRect, map: PointMap): UnitRect {
  const [x0, y0] = map(rect.x, rect.y);
  const [x1, y1] = map(rect.x + rect.width, rect.y + rect.height);
  return {
    x: Math.min(x0, x1),
    y: Math.min(y0, y1),
    width: Math.abs(x1 - x0),
    height: Math.abs(y1 - y0),
  };
}

/**
 * A rectangle of the upright photo, in the stored pixels' frame.
 *
 * @example Orientation 6: the stored pixels are the upright photo turned 90 degrees anticlockwise
 * ```ts
 * import assert from "node:assert/strict";
 * import { uprightToStored } from "./orientation.ts";
 *
 * // A face at the top-left of the upright photo sits at the bottom-left of the stored pixels.
 * const r = uprightToStored({ x: 0, y: 0, width: 0.25, height: 0.5 }, 6);
 * assert.deepEqual(r, { x: 0, y: 0.75, width: 0.5, height: 0.25 });
 * ```
 */
export function uprightToStored(rect: UnitRect, orientation: Orientation): UnitRect {
  return mapRect(rect, UPRIGHT_TO_STORED[orientation]);
}

/** A rectangle of the stored pixels, in the upright photo's frame; undoes {@linkcode uprightToStored}. */
export function storedToUpright(rect: UnitRect, orientation: Orientation): UnitRect {
  return mapRect(rect, STORED_TO_UPRIGHT[orientation]);
}

/** Width and height of the stored pixels of an upright photo of `width` x `height`. */
export function storedSize(
  width: number,
  height: number,
  orientation: Orientation,
): { width: number; height: number } {
  return orientation >= 5 ? { width: height, height: width } : { width, height };
}
