/**
 * Cheap pixel operations on decoded images: an integer box downscale (for detection, which needs
 * far fewer pixels than a photo has) and a crop (for alignment, which needs full resolution only
 * around a face).
 *
 * @module
 */
import type { RgbImage, ShrunkImage } from "./types.ts";

/**
 * Shrink by an integer factor, each output pixel the mean of a `factor` x `factor` block (edge
 * blocks are partial).
 *
 * @throws RangeError for a factor that is not a whole number of at least 1.
 */
export function downscaleBy(image: RgbImage, factor: number): RgbImage {
  if (!Number.isInteger(factor) || factor < 1) {
    throw new RangeError(`Invalid downscale factor "${factor}": use a whole number of at least 1`);
  }
  if (factor === 1) return image;
  const { width, height, data } = image;
  const w = Math.ceil(width / factor), h = Math.ceil(height / factor);
  const sums = new Uint32Array(w * 3);
  const counts = new Uint32Array(w);
  const out = new Uint8Array(w * h * 3);
  for (let oy = 0; oy < h; oy++) {
    sums.fill(0);
    counts.fill(0);
    const y1 = Math.min(height, (oy + 1) * factor);
    for (let y = oy * factor; y < y1; y++) {
      let src = y * width * 3;
      for (let x = 0; x < width; x++, src += 3) {
        const ox = (x / factor) | 0;
        sums[ox * 3] += data[src];
        sums[ox * 3 + 1] += data[src + 1];
        sums[ox * 3 + 2] += data[src + 2];
        counts[ox]++;
      }
    }
    let dst = oy * w * 3;
    for (let ox = 0; ox < w; ox++, dst += 3) {
      const n = counts[ox];
      out[dst] = (sums[ox * 3] + (n >> 1)) / n;
      out[dst + 1] = (sums[ox * 3 + 1] + (n >> 1)) / n;
      out[dst + 2] = (sums[ox * 3 + 2] + (n >> 1)) / n;
    }
  }
  return { width: w, height: h, data: out };
}

/**
 * The pixels of a rectangle (whole pixels, clamped to the image; at least 1x1). A rectangle
 * covering the whole image gives the image's own pixels, not a copy.
 */
export function cropRgb(
  image: RgbImage,
  rect: { x: number; y: number; width: number; height: number },
): RgbImage & { x: number; y: number } {
  const x0 = Math.max(0, Math.min(image.width - 1, Math.floor(rect.x)));
  const y0 = Math.max(0, Math.min(image.height - 1, Math.floor(rect.y)));
  const x1 = Math.max(x0 + 1, Math.min(image.width, Math.ceil(rect.x + rect.width)));
  const y1 = Math.max(y0 + 1, Math.min(image.height, Math.ceil(rect.y + rect.height)));
  const w = x1 - x0, h = y1 - y0;
  if (w === image.width && h === image.height) return { ...image, x: 0, y: 0 }; // no copy
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const src = ((y0 + y) * image.width + x0) * 3;
    out.set(image.data.subarray(src, src + w * 3), y * w * 3);
  }
  return { x: x0, y: y0, width: w, height: h, data: out };
}

/**
 * A rectangle of a photo (in the full-size photo's pixels) at about `factor` photo pixels per
 * output pixel: cut from pixels decoded at 1/`shrink` size and box-filtered the rest of the way.
 * The factor achieved, `scale`, is a multiple of the shrink no larger than `factor` (or the
 * shrink itself when that is larger).
 *
 * @returns the pixels, where their top-left corner sits in the photo, and the photo pixels per
 *   output pixel.
 *
 * @example A 40x20 photo decoded at half size, cut at a quarter
 * ```ts
 * import assert from "node:assert/strict";
 * import { regionOf } from "./resize.ts";
 *
 * const pixels = { width: 20, height: 10, data: new Uint8Array(20 * 10 * 3) };
 * const photo = { width: 40, height: 20, shrink: 2, pixels };
 * const r = regionOf(photo, { x: 8, y: 4, width: 16, height: 8 }, 4);
 * assert.deepEqual([r.x, r.y, r.width, r.height, r.scale], [8, 4, 4, 2, 4]);
 * ```
 */
export function regionOf(
  photo: ShrunkImage,
  rect: { x: number; y: number; width: number; height: number },
  factor: number,
): RgbImage & { x: number; y: number; scale: number } {
  const s = photo.shrink;
  const crop = cropRgb(photo.pixels, {
    x: rect.x / s,
    y: rect.y / s,
    width: rect.width / s,
    height: rect.height / s,
  });
  const sub = Math.max(1, Math.floor(factor / s));
  const small = downscaleBy(crop, sub);
  return { ...small, x: crop.x * s, y: crop.y * s, scale: s * sub };
}

/** A decoded image as a {@linkcode ShrunkImage} of shrink 1. */
export function fullSize(image: RgbImage): ShrunkImage {
  return { width: image.width, height: image.height, shrink: 1, pixels: image };
}
