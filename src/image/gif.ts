/**
 * GIF, first frame only, with imagescript's WebAssembly decoder.
 *
 * @module
 */
import { corrupt } from "./errors.ts";
import { CodecCache, gifWasm } from "./imagescript_wasm.ts";
import { rgbaToRgb } from "./pixels.ts";
import type { RgbImage } from "./types.ts";

const codec = new CodecCache(gifWasm);

/**
 * Decode the first frame of a GIF to RGB on a canvas of the GIF's logical screen size;
 * transparent pixels and the area the frame does not cover are white.
 */
export async function decodeGif(bytes: Uint8Array): Promise<RgbImage> {
  const { width, height, frame } = await codec.run((c) => {
    const decoder = new c.Decoder(bytes);
    const first = decoder.frame(); // frees the decoder itself when it throws
    decoder.free();
    return { width: decoder.width, height: decoder.height, frame: first };
  });
  if (frame === null) throw corrupt("the GIF has no frame");
  if (width * height === 0) throw corrupt("the GIF has a 0x0 logical screen");
  if (frame.buffer.length < frame.width * frame.height * 4) {
    throw corrupt("the GIF decoder returned a frame shorter than its size");
  }
  // Paint the frame onto a transparent canvas, then composite the canvas over white.
  const canvas = new Uint8Array(width * height * 4);
  const x0 = Math.max(0, frame.x);
  const x1 = Math.min(width, frame.x + frame.width);
  for (let y = Math.max(0, frame.y); y < Math.min(height, frame.y + frame.height); y++) {
    if (x1 <= x0) break;
    const from = ((y - frame.y) * frame.width + (x0 - frame.x)) * 4;
    canvas.set(frame.buffer.subarray(from, from + (x1 - x0) * 4), (y * width + x0) * 4);
  }
  return { width, height, data: rgbaToRgb(canvas, width * height) };
}
