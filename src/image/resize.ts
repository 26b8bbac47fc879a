/**
 * Cheap pixel operations on decoded images: an integer box downscale (for detection, which needs
 * far fewer pixels than a photo has) and a crop (for alignment, which needs full resolution only
 * around a face).
 *
 * @module
 */
import type { RgbImage } from "./types.ts";

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

/** The pixels of a rectangle (whole pixels, clamped to the image; at least 1x1). */
export function cropRgb(
  image: RgbImage,
  rect: { x: number; y: number; width: number; height: number },
): RgbImage & { x: number; y: number } {
  const x0 = Math.max(0, Math.min(image.width - 1, Math.floor(rect.x)));
  const y0 = Math.max(0, Math.min(image.height - 1, Math.floor(rect.y)));
  const x1 = Math.max(x0 + 1, Math.min(image.width, Math.ceil(rect.x + rect.width)));
  const y1 = Math.max(y0 + 1, Math.min(image.height, Math.ceil(rect.y + rect.height)));
  const w = x1 - x0, h = y1 - y0;
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const src = ((y0 + y) * image.width + x0) * 3;
    out.set(image.data.subarray(src, src + w * 3), y * w * 3);
  }
  return { x: x0, y: y0, width: w, height: h, data: out };
}
