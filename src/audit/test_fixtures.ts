/**
 * Generated photos for the audit tests: smooth, seeded scenes (so that perceptual hashes behave
 * as on photos), and the edits a real collection suffers (re-encoding, resizing, cropping).
 * Test-only.
 *
 * @module
 */
import { Image } from "npm:imagescript@1.3.1";
import { seededRandom } from "../dataset/random.ts";
import type { RgbImage } from "../image/mod.ts";

/** A seeded scene: a colour gradient with a few soft blobs. Different seeds give unrelated scenes. */
export function scene(seed: number, width = 320, height = 240): RgbImage {
  const random = seededRandom(seed);
  const blobs = Array.from({ length: 7 }, () => ({
    x: random() * width,
    y: random() * height,
    r: (0.08 + random() * 0.25) * Math.max(width, height),
    c: [random() * 255, random() * 255, random() * 255],
  }));
  const base = [random() * 255, random() * 255, random() * 255];
  const slope = [random() - 0.5, random() - 0.5, random() - 0.5];
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      for (let k = 0; k < 3; k++) {
        let v = base[k] + slope[k] * 200 * (x / width - y / height);
        for (const b of blobs) {
          const w = Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / (2 * b.r * b.r));
          v = v * (1 - w) + b.c[k] * w;
        }
        data[o + k] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  return { width, height, data };
}

/** An imagescript image of an RGB image. */
export function toImage(rgb: RgbImage): Image {
  const image = new Image(rgb.width, rgb.height);
  const bitmap = image.bitmap;
  for (let i = 0, o = 0; i < rgb.width * rgb.height; i++, o += 3) {
    bitmap[i * 4] = rgb.data[o];
    bitmap[i * 4 + 1] = rgb.data[o + 1];
    bitmap[i * 4 + 2] = rgb.data[o + 2];
    bitmap[i * 4 + 3] = 255;
  }
  return image;
}

/** An RGB image of an imagescript image. */
export function fromImage(image: Image): RgbImage {
  const data = new Uint8Array(image.width * image.height * 3);
  const bitmap = image.bitmap;
  for (let i = 0, o = 0; i < image.width * image.height; i++, o += 3) {
    data[o] = bitmap[i * 4];
    data[o + 1] = bitmap[i * 4 + 1];
    data[o + 2] = bitmap[i * 4 + 2];
  }
  return { width: image.width, height: image.height, data };
}

/** JPEG bytes of an image. */
export async function jpeg(rgb: RgbImage, quality = 90): Promise<Uint8Array> {
  return await toImage(rgb).encodeJPEG(quality as Parameters<Image["encodeJPEG"]>[0]);
}

/** PNG bytes of an image. */
export async function png(rgb: RgbImage): Promise<Uint8Array> {
  return await toImage(rgb).encode();
}

/** The image resized (imagescript's default resampling). */
export function resized(rgb: RgbImage, width: number, height: number): RgbImage {
  return fromImage(toImage(rgb).resize(width, height));
}

/** A rectangle cut out of the image. */
export function cropped(
  rgb: RgbImage,
  x: number,
  y: number,
  width: number,
  height: number,
): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let row = 0; row < height; row++) {
    const from = ((y + row) * rgb.width + x) * 3;
    data.set(rgb.data.subarray(from, from + width * 3), row * width * 3);
  }
  return { width, height, data };
}

/** Write files under a folder: keys are relative paths, values bytes or text. */
export async function writeTree(
  root: string,
  files: Record<string, Uint8Array | string>,
): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const full = `${root}/${path}`;
    await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
    if (typeof content === "string") await Deno.writeTextFile(full, content);
    else await Deno.writeFile(full, content);
  }
}
