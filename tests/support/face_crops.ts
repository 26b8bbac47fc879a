/**
 * Make classic face crops from photos, for tests and benchmarks: a tight head rectangle of 92x112
 * aspect around a face box, cut out in grey at 92x112 and written as a binary PGM, like the
 * AT&T/ORL faces.
 *
 * @module
 */
import type { Box } from "../../src/face/geometry.ts";
import type { RgbImage } from "../../src/image/mod.ts";

/** The classic crop size (AT&T/ORL faces). */
export const CROP_WIDTH = 92;
/** The classic crop size (AT&T/ORL faces). */
export const CROP_HEIGHT = 112;

/**
 * The tight head rectangle of 92x112 aspect around a detector face box: the box (brows to chin)
 * fills about 70% of the height, with more room above (hair) than below.
 */
export function headRect(face: Box): Box {
  const height = Math.max(face.width, face.height) * 1.45;
  const width = (height * CROP_WIDTH) / CROP_HEIGHT;
  const cx = face.x + face.width / 2;
  const cy = face.y + face.height / 2 - 0.06 * height;
  return { x: cx - width / 2, y: cy - height / 2, width, height };
}

/**
 * Cut `rect` out of `image` as a grey `width` x `height` picture: each output pixel averages an
 * n x n grid of bilinear samples over its footprint (n grows with the shrink, so a large face is
 * anti-aliased); outside the image the edge pixels repeat.
 */
export function greyCrop(image: RgbImage, rect: Box, width: number, height: number): Uint8Array {
  const sx = rect.width / width, sy = rect.height / height;
  const n = Math.max(1, Math.min(8, Math.ceil(Math.max(sx, sy))));
  const grey = (x: number, y: number) => {
    const xi = Math.max(0, Math.min(image.width - 1, x));
    const yi = Math.max(0, Math.min(image.height - 1, y));
    const i = (yi * image.width + xi) * 3;
    return 0.299 * image.data[i] + 0.587 * image.data[i + 1] + 0.114 * image.data[i + 2];
  };
  const sample = (x: number, y: number) => {
    const x0 = Math.floor(x), y0 = Math.floor(y), fx = x - x0, fy = y - y0;
    return (grey(x0, y0) * (1 - fx) + grey(x0 + 1, y0) * fx) * (1 - fy) +
      (grey(x0, y0 + 1) * (1 - fx) + grey(x0 + 1, y0 + 1) * fx) * fy;
  };
  const out = new Uint8Array(width * height);
  for (let oy = 0; oy < height; oy++) {
    for (let ox = 0; ox < width; ox++) {
      let sum = 0;
      for (let j = 0; j < n; j++) {
        for (let i = 0; i < n; i++) {
          // Pixel centres: output pixel (ox, oy) covers [rect.x + ox sx, rect.x + (ox + 1) sx).
          sum += sample(
            rect.x + (ox + (i + 0.5) / n) * sx - 0.5,
            rect.y + (oy + (j + 0.5) / n) * sy - 0.5,
          );
        }
      }
      out[oy * width + ox] = Math.max(0, Math.min(255, Math.round(sum / (n * n))));
    }
  }
  return out;
}

/** A binary greyscale PGM (P5) file. */
export function encodePgm(grey: Uint8Array, width: number, height: number): Uint8Array {
  const header = new TextEncoder().encode(`P5\n${width} ${height}\n255\n`);
  const out = new Uint8Array(header.length + grey.length);
  out.set(header);
  out.set(grey, header.length);
  return out;
}

/** A grey 92x112 crop of the head around `face`, as RGB pixels (the three channels equal). */
export function headCrop(image: RgbImage, face: Box): RgbImage {
  const grey = greyCrop(image, headRect(face), CROP_WIDTH, CROP_HEIGHT);
  const data = new Uint8Array(grey.length * 3);
  grey.forEach((v, i) => data.fill(v, 3 * i, 3 * i + 3));
  return { width: CROP_WIDTH, height: CROP_HEIGHT, data };
}
