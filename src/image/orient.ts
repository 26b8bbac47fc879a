/**
 * Turn pixels stored in camera order into an upright image, as the EXIF orientation asks.
 *
 * @module
 */
import type { Orientation } from "./exif.ts";
import type { RgbImage } from "./types.ts";

/**
 * Rotate and/or mirror an image so that an EXIF orientation of `orientation` becomes upright.
 *
 * @returns the same object for orientation 1, else a new image (width and height swap for 5..8).
 */
export function applyOrientation(image: RgbImage, orientation: Orientation): RgbImage {
  if (orientation === 1) return image;
  const { width: w, height: h, data: src } = image;
  const swap = orientation >= 5;
  const outW = swap ? h : w;
  const outH = swap ? w : h;
  // Source pixel of output (x, y) is base + x * stepX + y * stepY, in pixels.
  const last = (h - 1) * w;
  const [base, stepX, stepY] = {
    2: [w - 1, -1, w],
    3: [last + w - 1, -1, -w],
    4: [last, 1, -w],
    5: [0, w, 1],
    6: [last, -w, 1],
    7: [last + w - 1, -w, -1],
    8: [w - 1, w, -1],
  }[orientation];
  const out = new Uint8Array(outW * outH * 3);
  let o = 0;
  for (let y = 0; y < outH; y++) {
    let s = (base + y * stepY) * 3;
    const step = stepX * 3;
    for (let x = 0; x < outW; x++) {
      out[o] = src[s];
      out[o + 1] = src[s + 1];
      out[o + 2] = src[s + 2];
      o += 3;
      s += step;
    }
  }
  return { width: outW, height: outH, data: out };
}
