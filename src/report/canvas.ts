/**
 * Small drawing operations on {@linkcode RgbImage}s: rectangles, text, crop and downscale. Pure
 * TypeScript on the RGB bytes, so annotated photos and thumbnails look the same everywhere.
 *
 * @module
 */
import type { Box } from "../face/geometry.ts";
import type { RgbImage } from "../image/mod.ts";
import { rasterizeText, textHeight, textWidth } from "./font.ts";

/** An sRGB colour, 0-255 per channel. */
export type Rgb = readonly [number, number, number];

/** A copy of an image that can be drawn on without touching the original. */
export function cloneImage(image: RgbImage): RgbImage {
  return { width: image.width, height: image.height, data: image.data.slice() };
}

/** Set one pixel; pixels outside the image are ignored. */
export function setPixel(image: RgbImage, x: number, y: number, color: Rgb): void {
  if (x < 0 || y < 0 || x >= image.width || y >= image.height) return;
  const o = (y * image.width + x) * 3;
  image.data[o] = color[0];
  image.data[o + 1] = color[1];
  image.data[o + 2] = color[2];
}

/** The colour of one pixel. */
export function getPixel(image: RgbImage, x: number, y: number): Rgb {
  const o = (y * image.width + x) * 3;
  return [image.data[o], image.data[o + 1], image.data[o + 2]];
}

/** Fill a rectangle (clipped to the image). */
export function fillRect(image: RgbImage, box: Box, color: Rgb): void {
  const x0 = Math.max(0, Math.round(box.x)), y0 = Math.max(0, Math.round(box.y));
  const x1 = Math.min(image.width, Math.round(box.x + box.width));
  const y1 = Math.min(image.height, Math.round(box.y + box.height));
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) setPixel(image, x, y, color);
}

/**
 * Draw a rectangle's outline, `thickness` pixels wide, just outside `box` so that the face itself
 * stays visible; the outline is clipped to the image.
 */
export function strokeRect(image: RgbImage, box: Box, color: Rgb, thickness = 2): void {
  const x0 = Math.round(box.x) - thickness, y0 = Math.round(box.y) - thickness;
  const x1 = Math.round(box.x + box.width), y1 = Math.round(box.y + box.height);
  const w = x1 - x0 + thickness, h = y1 - y0 + thickness;
  fillRect(image, { x: x0, y: y0, width: w, height: thickness }, color);
  fillRect(image, { x: x0, y: y1, width: w, height: thickness }, color);
  fillRect(image, { x: x0, y: y0, width: thickness, height: h }, color);
  fillRect(image, { x: x1, y: y0, width: thickness, height: h }, color);
}

/** How {@linkcode drawLabel} draws. */
export interface LabelOptions {
  /** Left edge in image pixels. */
  x: number;
  /** Bottom edge of the label in image pixels; it moves below when it would leave the image. */
  y: number;
  /** Background colour. */
  background: Rgb;
  /** Text colour (default white). */
  color?: Rgb;
  /** Image pixels per font pixel (default 1). */
  scale?: number;
}

/** Draw a line of text on a filled background, kept inside the image. */
export function drawLabel(image: RgbImage, text: string, options: LabelOptions): Box {
  const scale = options.scale ?? 1;
  const pad = scale * 2;
  const width = textWidth(text, scale) + 2 * pad;
  const height = textHeight(scale) + 2 * pad;
  const x = Math.max(0, Math.min(Math.round(options.x), image.width - width));
  const y = Math.round(options.y) - height >= 0 ? Math.round(options.y) - height : 0;
  const box = { x, y, width, height };
  fillRect(image, box, options.background);
  const color = options.color ?? [255, 255, 255];
  rasterizeText(text, (px, py) => setPixel(image, px, py, color), {
    x: x + pad,
    y: y + pad,
    scale,
  });
  return box;
}

/** Cut a rectangle out of an image (clipped to it, at least 1x1). */
export function cropImage(image: RgbImage, box: Box): RgbImage {
  const x0 = clamp(Math.round(box.x), 0, image.width - 1);
  const y0 = clamp(Math.round(box.y), 0, image.height - 1);
  const x1 = clamp(Math.round(box.x + box.width), x0 + 1, image.width);
  const y1 = clamp(Math.round(box.y + box.height), y0 + 1, image.height);
  const width = x1 - x0, height = y1 - y0;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const from = ((y0 + y) * image.width + x0) * 3;
    data.set(image.data.subarray(from, from + width * 3), y * width * 3);
  }
  return { width, height, data };
}

/**
 * Scale an image to `width` x `height`. Each output pixel averages the input area it covers, which
 * keeps small thumbnails smooth where picking one pixel would alias.
 */
export function resizeImage(image: RgbImage, width: number, height: number): RgbImage {
  if (!(width >= 1 && height >= 1)) {
    throw new RangeError(`Cannot resize to ${width}x${height}: use at least 1x1 pixels`);
  }
  const w = Math.round(width), h = Math.round(height);
  const data = new Uint8Array(w * h * 3);
  const sx = image.width / w, sy = image.height / h;
  for (let y = 0; y < h; y++) {
    const ya = y * sy, yb = Math.max(ya + 1e-9, (y + 1) * sy);
    for (let x = 0; x < w; x++) {
      const xa = x * sx, xb = Math.max(xa + 1e-9, (x + 1) * sx);
      let r = 0, g = 0, b = 0, total = 0;
      for (let iy = Math.floor(ya); iy < Math.min(image.height, Math.ceil(yb)); iy++) {
        const wy = Math.min(yb, iy + 1) - Math.max(ya, iy);
        for (let ix = Math.floor(xa); ix < Math.min(image.width, Math.ceil(xb)); ix++) {
          const wgt = wy * (Math.min(xb, ix + 1) - Math.max(xa, ix));
          const o = (iy * image.width + ix) * 3;
          r += image.data[o] * wgt;
          g += image.data[o + 1] * wgt;
          b += image.data[o + 2] * wgt;
          total += wgt;
        }
      }
      const o = (y * w + x) * 3;
      data[o] = Math.round(r / total);
      data[o + 1] = Math.round(g / total);
      data[o + 2] = Math.round(b / total);
    }
  }
  return { width: w, height: h, data };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
