/**
 * Small JPEG thumbnails of photos, with the face of interest boxed, as `data:` URIs that a
 * self-contained HTML page can hold.
 *
 * @module
 */
import type { Box } from "../face/geometry.ts";
import { readImage, type RgbImage } from "../image/mod.ts";
import { cropImage, resizeImage, type Rgb, strokeRect } from "./canvas.ts";
import { dataUri, encodeCompact } from "./encode.ts";

/** How thumbnails are made. */
export interface ThumbnailOptions {
  /** Height in pixels (default 96). */
  height?: number;
  /** Widest width in pixels; wider photos are cropped round the face or centre (default 1.5 x height). */
  maxWidth?: number;
  /** Colour of the face's box (default red). */
  color?: Rgb;
  /** JPEG quality (default 80). */
  quality?: number;
}

const DEFAULTS = { height: 96, color: [230, 30, 30] as Rgb, quality: 80 };

/**
 * A thumbnail of `image`: with a `box`, the area round that face (three face-heights tall, or the
 * whole photo when smaller) with the box drawn; without one, the whole photo.
 *
 * @example A 400x300 photo with a face becomes 96 pixels high
 * ```ts
 * import assert from "node:assert/strict";
 * import { thumbnailImage } from "./thumbnails.ts";
 *
 * const image = { width: 400, height: 300, data: new Uint8Array(400 * 300 * 3).fill(200) };
 * const thumb = thumbnailImage(image, { x: 100, y: 100, width: 40, height: 50 });
 * assert.equal(thumb.height, 96);
 * assert.ok(thumb.width <= 144);
 * ```
 */
export function thumbnailImage(
  image: RgbImage,
  box?: Box,
  options: ThumbnailOptions = {},
): RgbImage {
  const height = Math.max(8, Math.round(options.height ?? DEFAULTS.height));
  const maxAspect = (options.maxWidth ?? height * 1.5) / height;
  let region: Box;
  if (box) {
    const side = Math.max(box.width, box.height) * 3;
    const h = Math.min(image.height, side);
    const w = Math.min(image.width, h * maxAspect, Math.max(side, h));
    region = {
      x: clamp(box.x + box.width / 2 - w / 2, 0, image.width - w),
      y: clamp(box.y + box.height / 2 - h / 2, 0, image.height - h),
      width: w,
      height: h,
    };
  } else {
    const w = Math.min(image.width, image.height * maxAspect);
    region = { x: (image.width - w) / 2, y: 0, width: w, height: image.height };
  }
  const crop = cropImage(image, region);
  const scale = height / crop.height;
  const thumb = resizeImage(crop, Math.max(1, Math.round(crop.width * scale)), height);
  if (box) {
    const ox = Math.round(region.x), oy = Math.round(region.y);
    strokeRect(
      thumb,
      {
        x: (box.x - ox) * scale,
        y: (box.y - oy) * scale,
        width: box.width * scale,
        height: box.height * scale,
      },
      options.color ?? DEFAULTS.color,
      2,
    );
  }
  return thumb;
}

/**
 * Read a photo and make its thumbnail as a JPEG `data:` URI (PNG without `--allow-ffi`).
 *
 * @throws Error naming the file when it cannot be read or decoded.
 */
export async function photoThumbnail(
  path: string,
  box?: Box,
  options: ThumbnailOptions = {},
): Promise<string> {
  const image = await readImage(path);
  const thumb = thumbnailImage(image, box, options);
  const { bytes, mime } = await encodeCompact(thumb, options.quality ?? DEFAULTS.quality);
  return dataUri(bytes, mime);
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(lo, hi), Math.max(lo, v));
}
