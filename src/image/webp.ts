/**
 * WebP (lossy, lossless, with alpha) with @jsquash/webp, libwebp compiled to WebAssembly.
 *
 * The Emscripten glue finds its `webp_dec.wasm` next to itself (a file: URL that Deno reads
 * with `fetch`, so reading it needs read permission on the npm cache or node_modules). It is
 * imported and started on first use, with its print hooks silenced, because library code never
 * prints.
 *
 * @module
 */
import { riffChunks } from "./containers.ts";
import { corrupt, unsupported } from "./errors.ts";
import { rgbaToRgb } from "./pixels.ts";
import type { RgbImage } from "./types.ts";

type WebpDecode = (buffer: ArrayBuffer) => Promise<ImageData>;

// Imported on first use so that programs importing this stage load no codec they do not use.
let decodeRgba: WebpDecode | undefined;

function silence(): void {}

/** True when the WebP's VP8X header says it is animated. */
function isAnimated(bytes: Uint8Array): boolean {
  for (const chunk of riffChunks(bytes)) {
    if (chunk.fourcc === "VP8X") return chunk.length > 0 && (bytes[chunk.start] & 0x02) !== 0;
    return false; // VP8X, when present, is the first chunk
  }
  return false;
}

/** Decode a WebP to RGB (translucent pixels composited over white), without EXIF orientation. */
export async function decodeWebp(bytes: Uint8Array): Promise<RgbImage> {
  if (isAnimated(bytes)) {
    throw unsupported("animated WebP");
  }
  if (decodeRgba === undefined) {
    const codec = await import("npm:@jsquash/webp@1.5.0/decode.js");
    await codec.init({ print: silence, printErr: silence });
    decodeRgba = codec.default;
  }
  // The decoder wants an ArrayBuffer of exactly the file.
  const buffer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength &&
      bytes.buffer instanceof ArrayBuffer
    ? bytes.buffer
    : bytes.slice().buffer;
  let rgba: ImageData;
  try {
    rgba = await decodeRgba(buffer);
  } catch (error) {
    // An Emscripten abort leaves the module unusable: start a new one next time.
    if (error instanceof WebAssembly.RuntimeError) decodeRgba = undefined;
    throw error;
  }
  const { width, height, data } = rgba;
  const pixels = width * height;
  if (pixels === 0 || data.length < pixels * 4) {
    throw corrupt(`the WebP decoder returned ${data.length} bytes for ${width}x${height}`);
  }
  return { width, height, data: rgbaToRgb(data, pixels) };
}
