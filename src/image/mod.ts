/**
 * The image stage: file bytes in, upright 8-bit RGB out.
 *
 * The format is sniffed from magic bytes, never from the file name: JPEG (baseline and
 * progressive, also CMYK), PNG, GIF (first frame), TIFF, WebP, BMP and PNM (PBM/PGM/PPM).
 * The EXIF orientation is applied, transparency is composited over white, and images above
 * a pixel budget are refused from their header before anything is allocated.
 *
 * @example Decode a tiny grey-map written by hand
 * ```ts
 * import { decodeImage, sniffFormat } from "./mod.ts";
 *
 * const pgm = new TextEncoder().encode("P2\n2 1\n255\n0 255\n");
 * const image = await decodeImage(pgm);
 * console.assert(sniffFormat(pgm) === "pnm");
 * console.assert(image.width === 2 && image.height === 1);
 * console.assert(image.data.join(",") === "0,0,0,255,255,255");
 * ```
 *
 * @module
 */
export type { DecodeOptions, ImageFormat, RgbImage, ShrinkRequest, ShrunkImage } from "./types.ts";
export { ImageDecodeError, type ImageDecodeErrorOptions } from "./errors.ts";
export { sniffFormat } from "./sniff.ts";
export { type ImageSize, readImageSize } from "./size.ts";
export {
  decodeImage,
  decodeShrunk,
  DEFAULT_MAX_PIXELS,
  readImage,
  readImageBytes,
} from "./decode.ts";
export { cropRgb, downscaleBy, fullSize, regionOf } from "./resize.ts";
