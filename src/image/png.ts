/**
 * PNG (every colour type and bit depth, interlaced or not) with imagescript's WebAssembly
 * decoder, which returns 8-bit RGBA.
 *
 * @module
 */
import { corrupt } from "./errors.ts";
import { CodecCache, pngWasm } from "./imagescript_wasm.ts";
import { rgbaToRgb } from "./pixels.ts";
import type { RgbImage } from "./types.ts";

const codec = new CodecCache(pngWasm);

/** Decode a PNG to RGB (translucent pixels composited over white), without EXIF orientation. */
export async function decodePng(bytes: Uint8Array): Promise<RgbImage> {
  const { width, height, framebuffer } = await codec.run((c) => c.decode(bytes));
  const pixels = width * height;
  if (pixels === 0 || framebuffer.length < pixels * 4) {
    throw corrupt(
      `the PNG decoder returned ${framebuffer.length} bytes for ${width}x${height} pixels`,
    );
  }
  return { width, height, data: rgbaToRgb(framebuffer, pixels) };
}
