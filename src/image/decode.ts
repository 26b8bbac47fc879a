/**
 * The entry points of the image stage: bytes or a file in, upright 8-bit RGB out.
 *
 * @module
 */
import { decodeBmp } from "./bmp.ts";
import { FormatError, ImageDecodeError } from "./errors.ts";
import { readOrientation } from "./exif.ts";
import { decodeGif } from "./gif.ts";
import { decodeJpeg } from "./jpeg.ts";
import { applyOrientation } from "./orient.ts";
import { decodePng } from "./png.ts";
import { decodePnm } from "./pnm.ts";
import { type ImageSize, readImageSize } from "./size.ts";
import { describeUnsupported, FORMAT_NAMES, sniffFormat } from "./sniff.ts";
import { decodeTiff } from "./tiff.ts";
import type { DecodeOptions, ImageFormat, RgbImage, ShrinkRequest, ShrunkImage } from "./types.ts";
import { decodeWebp } from "./webp.ts";

/** The default pixel budget: 50 megapixels, above any camera photo a face data set holds. */
export const DEFAULT_MAX_PIXELS = 50_000_000;

/**
 * Each format's decoder. Given a shrink above 1 and the stored size, a decoder may return the
 * pixels at up to that fraction of the size and say by how much it shrank them (only JPEG can);
 * the others decode at full size.
 */
type Decoder = (
  bytes: Uint8Array,
  shrink: number,
  stored: ImageSize | undefined,
) => Shrinkable | Promise<Shrinkable>;

type Shrinkable = RgbImage & { shrink?: number };

const DECODERS: Record<ImageFormat, Decoder> = {
  jpeg: decodeJpeg,
  png: decodePng,
  gif: decodeGif,
  tiff: decodeTiff,
  webp: decodeWebp,
  bmp: decodeBmp,
  pnm: decodePnm,
};

function resolveMaxPixels(options: DecodeOptions): number {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (typeof maxPixels !== "number" || Number.isNaN(maxPixels) || maxPixels <= 0) {
    throw new RangeError(
      `maxPixels must be a positive number of pixels (or Infinity), got "${maxPixels}"`,
    );
  }
  return maxPixels;
}

function decodeFailure(path: string | undefined, reason: string, cause?: unknown) {
  const where = path === undefined ? "" : ` "${path}"`;
  return new ImageDecodeError(`Cannot decode image${where}: ${reason}`, { reason, path, cause });
}

function megapixels(pixels: number): string {
  return (pixels / 1e6).toFixed(1);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The largest power of two up to `maxShrink` (at most 8) that leaves a side of `atLeast`. */
function chooseShrink(size: ImageSize, request: ShrinkRequest): number {
  const longer = Math.max(size.width, size.height);
  let shrink = 1;
  while (
    shrink < 8 && shrink * 2 <= (request.maxShrink ?? 8) &&
    longer / (shrink * 2) >= (request.atLeast ?? 0)
  ) shrink *= 2;
  return shrink;
}

async function decodeAt(
  bytes: Uint8Array,
  path: string | undefined,
  options: DecodeOptions,
  request?: ShrinkRequest,
): Promise<ShrunkImage> {
  const maxPixels = resolveMaxPixels(options);
  if (bytes.length === 0) {
    throw decodeFailure(path, "the file is empty (0 bytes); re-download it or remove it");
  }
  const format = sniffFormat(bytes);
  if (format === undefined) throw decodeFailure(path, describeUnsupported(bytes));

  const size = readImageSize(bytes);
  if (size !== undefined && size.width * size.height > maxPixels) {
    const reason = `${size.width}x${size.height} (${
      megapixels(size.width * size.height)
    } megapixels), above the limit of ${
      megapixels(maxPixels)
    } megapixels; raise --max-pixels or downscale the file`;
    const message = path === undefined ? `Image is ${reason}` : `Image "${path}" is ${reason}`;
    throw new ImageDecodeError(message, { reason, path });
  }

  const name = FORMAT_NAMES[format];
  let image: RgbImage;
  let shrink = 1;
  try {
    const asked = request !== undefined && size !== undefined ? chooseShrink(size, request) : 1;
    const decoded = await DECODERS[format](bytes, asked, size);
    image = decoded;
    shrink = decoded.shrink ?? 1;
  } catch (error) {
    if (error instanceof FormatError) throw decodeFailure(path, error.message, error);
    if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
      // The codecs read their WebAssembly files (and imagescript an environment variable).
      throw decodeFailure(
        path,
        `the ${name} decoder was refused a permission (${errorText(error)}); ` +
          "run with the flag the message names, or -A",
        error,
      );
    }
    const detail = error instanceof WebAssembly.RuntimeError
      ? `the decoder trapped: ${error.message}`
      : errorText(error);
    throw decodeFailure(
      path,
      `corrupt or truncated ${name} data (${detail}); re-export the file or remove it`,
      error,
    );
  }
  if (image.width * image.height * shrink * shrink > maxPixels) {
    // The header was unreadable or lied; the decoder has allocated already, but refuse anyway.
    throw decodeFailure(
      path,
      `it decodes to ${image.width}x${image.height}, above the limit of ${
        megapixels(maxPixels)
      } megapixels; raise --max-pixels or downscale the file`,
    );
  }
  const orientation = readOrientation(bytes, format);
  const pixels = applyOrientation(image, orientation);
  if (shrink === 1) return { width: pixels.width, height: pixels.height, shrink, pixels };
  const swap = orientation >= 5;
  return {
    width: swap ? size!.height : size!.width,
    height: swap ? size!.width : size!.height,
    shrink,
    pixels,
  };
}

/**
 * Decode bytes to RGB with EXIF orientation applied. Throws ImageDecodeError.
 *
 * The format comes from the bytes (see {@linkcode sniffFormat}); images with more than
 * `options.maxPixels` pixels are refused from their header, before decoding.
 *
 * @throws {ImageDecodeError} for an unknown format, corrupt or truncated data, or a too-large image.
 * @throws {RangeError} for a `maxPixels` that is not a positive number.
 *
 * @example Decode a grey-map written by hand
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeImage } from "./decode.ts";
 *
 * const pgm = new TextEncoder().encode("P2\n2 1\n255\n0 255\n"); // 2x1: black, white
 * const image = await decodeImage(pgm);
 * assert.deepEqual([image.width, image.height], [2, 1]);
 * assert.deepEqual([...image.data], [0, 0, 0, 255, 255, 255]);
 * ```
 */
export async function decodeImage(
  bytes: Uint8Array,
  options: DecodeOptions = {},
): Promise<RgbImage> {
  return (await decodeAt(bytes, options.path, options)).pixels;
}

/**
 * Decode bytes to RGB with EXIF orientation applied, at less than full size where the format
 * makes that cheaper: a JPEG is decoded at 1/2, 1/4 or 1/8 of its size (the decoder scales its
 * inverse DCT down) as far as `request` allows. Other formats come out at full size. Errors and
 * limits are those of {@linkcode decodeImage}; the pixel limit counts the full size.
 *
 * @example A 4000x3000 JPEG seen at no less than 1024 pixels a side
 * ```ts ignore
 * const photo = await decodeShrunk(bytes, { atLeast: 1024 });
 * // photo.width === 4000, photo.shrink === 2, photo.pixels.width === 2000
 * ```
 *
 * @example A file that cannot shrink comes out at full size
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeShrunk } from "./decode.ts";
 *
 * const pgm = new TextEncoder().encode("P2\n4 2\n255\n" + "9 ".repeat(8));
 * const photo = await decodeShrunk(pgm, { atLeast: 1 });
 * assert.deepEqual([photo.width, photo.height, photo.shrink, photo.pixels.width], [4, 2, 1, 4]);
 * ```
 */
export async function decodeShrunk(
  bytes: Uint8Array,
  request: ShrinkRequest & DecodeOptions,
): Promise<ShrunkImage> {
  return await decodeAt(bytes, request.path, request, request);
}

function readFailure(path: string, error: unknown): ImageDecodeError {
  let reason: string;
  if (error instanceof Deno.errors.NotFound) reason = "no such file; check the path";
  else if (error instanceof Deno.errors.IsADirectory) {
    reason = "it is a folder; pass an image file";
  } else if (error instanceof Deno.errors.FilesystemLoop) {
    reason = "a symbolic link that leads back to itself (a loop); fix or remove the link";
  } else if (
    error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotCapable
  ) {
    reason = `permission denied (${errorText(error)}); allow reading it (--allow-read)`;
  } else reason = errorText(error);
  return new ImageDecodeError(`Cannot read image "${path}": ${reason}`, {
    reason,
    path,
    cause: error,
  });
}

/**
 * Read a file and decode it; errors name the path.
 *
 * `options.path` is ignored: errors always quote `path`.
 *
 * @throws {ImageDecodeError} when the file cannot be read or decoded; `path` is set.
 *
 * @example Read a photo file
 * ```ts
 * import assert from "node:assert/strict";
 * import { readImage } from "./decode.ts";
 *
 * const path = await Deno.makeTempFile({ suffix: ".pgm" });
 * await Deno.writeTextFile(path, "P2\n1 1\n255\n128\n");
 * const image = await readImage(path);
 * assert.deepEqual([...image.data], [128, 128, 128]);
 * await Deno.remove(path);
 * ```
 */
export async function readImage(path: string, options: DecodeOptions = {}): Promise<RgbImage> {
  resolveMaxPixels(options);
  return (await decodeAt(await readImageBytes(path), path, options)).pixels;
}

/**
 * Read an image file's bytes without decoding them (e.g. to hash them first).
 *
 * @throws {ImageDecodeError} naming the path, with what to do: no such file, a folder, a
 *   symlink loop, no permission.
 *
 * @example A folder is not an image
 * ```ts
 * import assert from "node:assert/strict";
 * import { readImageBytes } from "./decode.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await assert.rejects(readImageBytes(dir), /it is a folder; pass an image file/);
 * ```
 */
export async function readImageBytes(path: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (error) {
    throw readFailure(path, error);
  }
}
