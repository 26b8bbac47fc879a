/**
 * JPEG encoding with imagescript. Its encoder lives in imagescript's main module, which loads a
 * native codec library, so it is imported on first use: programs that never encode a JPEG do not
 * need `--allow-ffi`. Thumbnails fall back to PNG, which needs no native code, so a report can be
 * written without `--allow-ffi`.
 *
 * @module
 */
import { concatBytes } from "../backend/bytes.ts";
import type { RgbImage } from "../image/mod.ts";

type ImageClass = typeof import("npm:imagescript@1.3.1").Image;
let imageClass: Promise<ImageClass> | undefined;

async function loadImageClass(): Promise<ImageClass> {
  try {
    return (await import("npm:imagescript@1.3.1")).Image;
  } catch (error) {
    imageClass = undefined;
    const denied = error instanceof Deno.errors.NotCapable ||
      error instanceof Deno.errors.PermissionDenied;
    throw new Error(
      `Cannot load imagescript's JPEG encoder (${
        error instanceof Error ? error.message : error
      }); ` +
        (denied
          ? "run with --allow-ffi --allow-read --allow-env, or -A"
          : 'reinstall with "deno install"'),
    );
  }
}

/**
 * Encode an RGB image as a baseline JPEG.
 *
 * @param quality 1-100 (default 85).
 * @throws Error when imagescript's encoder cannot be loaded (it needs `--allow-ffi`).
 */
export async function encodeJpeg(image: RgbImage, quality = 85): Promise<Uint8Array> {
  if (!(quality >= 1 && quality <= 100)) {
    throw new RangeError(`Invalid JPEG quality "${quality}": use a number from 1 to 100`);
  }
  imageClass ??= loadImageClass();
  const Image = await imageClass;
  const out = new Image(image.width, image.height);
  const rgba = out.bitmap;
  const n = image.width * image.height;
  for (let i = 0; i < n; i++) {
    rgba[i * 4] = image.data[i * 3];
    rgba[i * 4 + 1] = image.data[i * 3 + 1];
    rgba[i * 4 + 2] = image.data[i * 3 + 2];
    rgba[i * 4 + 3] = 255;
  }
  return await out.encodeJPEG(
    Math.round(quality) as Parameters<InstanceType<ImageClass>["encodeJPEG"]>[0],
  );
}

/**
 * Encode as JPEG when imagescript's encoder can be loaded, else (no `--allow-ffi`) as PNG.
 *
 * @returns the bytes and their MIME type.
 */
export async function encodeCompact(
  image: RgbImage,
  quality = 85,
): Promise<{ bytes: Uint8Array; mime: "image/jpeg" | "image/png" }> {
  imageClass ??= loadImageClass();
  const loaded = await imageClass.then(() => true, () => false);
  return loaded
    ? { bytes: await encodeJpeg(image, quality), mime: "image/jpeg" }
    : { bytes: await encodePng(image), mime: "image/png" };
}

/**
 * Encode an RGB image as an 8-bit PNG (each row filtered by its left neighbour), with the
 * platform's deflate: no native library and no permission needed.
 *
 * @example Encode a pixel and read it back
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeImage } from "../image/mod.ts";
 * import { encodePng } from "./encode.ts";
 *
 * const png = await encodePng({ width: 2, height: 1, data: Uint8Array.from([9, 8, 7, 200, 100, 0]) });
 * assert.deepEqual([...(await decodeImage(png)).data], [9, 8, 7, 200, 100, 0]);
 * ```
 */
export async function encodePng(image: RgbImage): Promise<Uint8Array> {
  const { width, height, data } = image;
  const stride = width * 3;
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (stride + 1);
    raw[row] = 1; // filter "Sub": each byte minus the same channel of the pixel to its left
    for (let i = 0; i < stride; i++) {
      const v = data[y * stride + i];
      raw[row + 1 + i] = i < 3 ? v : (v - data[y * stride + i - 3]) & 0xff;
    }
  }
  const stream = new Blob([raw]).stream().pipeThrough(new CompressionStream("deflate"));
  const idat = new Uint8Array(await new Response(stream).arrayBuffer());
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB, deflate, filtering 0, no interlace
  return concatBytes([
    Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    pngChunk("IDAT", idat),
    pngChunk("IEND", new Uint8Array(0)),
  ]);
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function pngChunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length);
  out.set(Array.from(type, (ch) => ch.charCodeAt(0)), 4);
  out.set(body, 8);
  let crc = 0xffffffff;
  for (let i = 4; i < 8 + body.length; i++) crc = CRC_TABLE[(crc ^ out[i]) & 0xff] ^ (crc >>> 8);
  view.setUint32(8 + body.length, (crc ^ 0xffffffff) >>> 0);
  return out;
}

/** A `data:` URI holding bytes, for images embedded in a self-contained HTML page. */
export function dataUri(bytes: Uint8Array, mime = "image/jpeg"): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return `data:${mime};base64,${btoa(binary)}`;
}
