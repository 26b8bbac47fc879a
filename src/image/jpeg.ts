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

/** Decode a JPEG to RGB, without applying EXIF orientation. */
export async function decodeJpeg(bytes: Uint8Array): Promise<RgbImage> {
  const { width, height, format, buffer } = await codec.run((c) => c.decode(bytes));
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
  return { width, height, data };
}
