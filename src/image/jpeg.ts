/**
 * JPEG (baseline and progressive; grey, YCbCr, CMYK and YCCK) with imagescript's WebAssembly
 * decoder, which returns RGB directly.
 *
 * @module
 */
import { corrupt } from "./errors.ts";
import { CodecCache, jpegWasm } from "./imagescript_wasm.ts";
import { cmykToRgb, grayToRgb } from "./pixels.ts";
import type { RgbImage } from "./types.ts";

const GRAY = 0;
const RGB = 1;
const CMYK = 2;

const codec = new CodecCache(jpegWasm);

/** A decoder instance that decoded more pixels than this is dropped (see `CodecCache.run`). */
const KEEP_BELOW_PIXELS = 3_000_000;

/**
 * Decode a JPEG to RGB, without applying EXIF orientation. With `shrink` 2, 4 or 8 (and the
 * stored size, for the request) the decoder scales its inverse DCT down, which is several times
 * faster than a full decode and never holds the full-size pixels: each output pixel covers
 * `shrink` x `shrink` stored pixels.
 *
 * @returns the pixels and the factor they were shrunk by.
 */
export async function decodeJpeg(
  bytes: Uint8Array,
  shrink = 1,
  stored?: { width: number; height: number },
): Promise<RgbImage & { shrink: number }> {
  const scaled = shrink > 1 && stored !== undefined;
  const { width, height, format, buffer } = await codec.run(
    (c) =>
      scaled
        ? c.decode(bytes, Math.ceil(stored.width / shrink), Math.ceil(stored.height / shrink))
        : c.decode(bytes),
    (frame) => frame.width * frame.height > KEEP_BELOW_PIXELS,
  );
  const pixels = width * height;
  const channels = format === GRAY ? 1 : format === RGB ? 3 : format === CMYK ? 4 : 0;
  if (channels === 0) {
    throw corrupt(`the JPEG decoder returned an unknown pixel layout (${format})`);
  }
  if (pixels === 0 || buffer.length < pixels * channels) {
    throw corrupt(
      `the JPEG decoder returned ${buffer.length} bytes for ${width}x${height} pixels`,
    );
  }
  const data = format === RGB
    ? (buffer.length === pixels * 3 ? buffer : buffer.slice(0, pixels * 3))
    : format === GRAY
    ? grayToRgb(buffer, pixels)
    : cmykToRgb(buffer, pixels);
  // The decoder picks the nearest scale it has that is at least as large as asked for.
  const actual = scaled ? Math.round(stored.width / width) : 1;
  return { width, height, data, shrink: actual };
}
