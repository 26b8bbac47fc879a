/**
 * The data types shared by every decoder of the image stage.
 *
 * @module
 */

/** A decoded image: 8-bit RGB, row-major, `data.length === width * height * 3`. */
export interface RgbImage {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Interleaved R, G, B bytes, row by row from the top-left pixel. */
  data: Uint8Array;
}

/** The container formats the image stage can recognise from their magic bytes. */
export type ImageFormat = "jpeg" | "png" | "gif" | "tiff" | "webp" | "bmp" | "pnm";

/** Per-call options of {@linkcode decodeImage} and {@linkcode readImage}. */
export interface DecodeOptions {
  /** Refuse images with more pixels than this, before allocating; default 50_000_000. */
  maxPixels?: number;
  /**
   * The file the bytes came from, quoted in error messages (for callers that read the file
   * themselves, e.g. to hash it); {@linkcode readImage} sets it to its own argument.
   */
  path?: string;
}

/** How far {@linkcode decodeShrunk} may shrink an image while decoding it. */
export interface ShrinkRequest {
  /** Keep the longer side at least this many pixels (default 0: as small as `maxShrink` allows). */
  atLeast?: number;
  /** Shrink by at most this factor (default 8, the most JPEG can). */
  maxShrink?: number;
}

/**
 * A photo decoded at 1/`shrink` of its size: each pixel of `pixels` covers `shrink` x `shrink`
 * pixels of the upright photo, the top-left one at (0, 0).
 */
export interface ShrunkImage {
  /** Width of the upright photo at full size. */
  width: number;
  /** Height of the upright photo at full size. */
  height: number;
  /** 1, 2, 4 or 8. */
  shrink: number;
  /** The pixels, about `width / shrink` x `height / shrink`. */
  pixels: RgbImage;
}
