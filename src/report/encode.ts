/**
 * JPEG encoding with imagescript. Its encoder lives in imagescript's main module, which loads a
 * native codec library, so it is imported on first use: programs that never encode a JPEG do not
 * need `--allow-ffi`.
 *
 * @module
 */
import type { RgbImage } from "../image/mod.ts";

type ImageClass = typeof import("imagescript").Image;
let imageClass: Promise<ImageClass> | undefined;

async function loadImageClass(): Promise<ImageClass> {
  try {
    return (await import("imagescript")).Image;
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

/** A `data:` URI holding bytes, for images embedded in a self-contained HTML page. */
export function dataUri(bytes: Uint8Array, mime = "image/jpeg"): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return `data:${mime};base64,${btoa(binary)}`;
}
