/**
 * Draw recognised faces onto their photo: a box round each face and its name with the
 * probability above it, known people in one colour and `unknown` faces in another.
 *
 * @module
 */
import { basename, extname } from "node:path";
import type { Box } from "../face/geometry.ts";
import { readImage, type RgbImage } from "../image/mod.ts";
import { cloneImage, drawLabel, type Rgb, strokeRect } from "./canvas.ts";
import { encodeJpeg } from "./encode.ts";
import { textHeight } from "./font.ts";

/** Box colour of a named face (green). */
export const KNOWN_COLOR: Rgb = [0, 200, 80];
/** Box colour of a face called unknown (orange). */
export const UNKNOWN_COLOR: Rgb = [255, 120, 0];

/** A face to draw. */
export interface FaceLabel {
  /** The face's box in the photo's pixels. */
  box: Box;
  /** The name to write; the face is drawn as unknown when `known` is false. */
  name: string;
  /** Shown as a percentage after the name when given. */
  probability?: number;
  /** Whether the face was named (default: true unless the name is "unknown"). */
  known?: boolean;
}

/** How faces are drawn. */
export interface AnnotateOptions {
  /** Box colour of named faces (default {@linkcode KNOWN_COLOR}). */
  knownColor?: Rgb;
  /** Box colour of unknown faces (default {@linkcode UNKNOWN_COLOR}). */
  unknownColor?: Rgb;
  /** Box line width in pixels (default: grows with the photo, at least 2). */
  thickness?: number;
  /** Image pixels per font pixel (default: grows with the photo, at least 1). */
  textScale?: number;
}

/**
 * A copy of `image` with every face boxed and labelled.
 *
 * @example Box a face on a grey image
 * ```ts
 * import assert from "node:assert/strict";
 * import { annotateFaces, KNOWN_COLOR } from "./annotate.ts";
 *
 * const image = { width: 64, height: 64, data: new Uint8Array(64 * 64 * 3).fill(128) };
 * const out = annotateFaces(image, [{ box: { x: 20, y: 30, width: 20, height: 20 }, name: "Ada" }]);
 * const at = (x: number, y: number) => Array.from(out.data.subarray((y * 64 + x) * 3, (y * 64 + x) * 3 + 3));
 * assert.deepEqual(at(19, 40), [...KNOWN_COLOR], "the box's left edge");
 * assert.deepEqual(at(30, 40), [128, 128, 128], "the face itself is untouched");
 * ```
 */
export function annotateFaces(
  image: RgbImage,
  faces: readonly FaceLabel[],
  options: AnnotateOptions = {},
): RgbImage {
  const out = cloneImage(image);
  const side = Math.min(image.width, image.height);
  const thickness = options.thickness ?? Math.max(2, Math.round(side / 250));
  const scale = options.textScale ?? Math.max(1, Math.round(side / 400));
  for (const face of faces) {
    const known = face.known ?? face.name !== "unknown";
    const color = known ? options.knownColor ?? KNOWN_COLOR : options.unknownColor ?? UNKNOWN_COLOR;
    strokeRect(out, face.box, color, thickness);
    const text = face.probability === undefined
      ? face.name
      : `${face.name} ${Math.round(face.probability * 100)}%`;
    const labelHeight = textHeight(scale) + 4 * scale;
    const above = face.box.y - thickness;
    const y = above - labelHeight >= 0
      ? above
      : face.box.y + face.box.height + thickness + labelHeight;
    drawLabel(out, text, { x: face.box.x - thickness, y, background: color, scale });
  }
  return out;
}

/**
 * Read a photo, draw its faces, and encode the result as JPEG.
 *
 * @throws Error naming the file when it cannot be read or decoded.
 *
 * @example Box a face in a photo file
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeImage } from "../image/mod.ts";
 * import { annotatePhoto } from "./annotate.ts";
 *
 * const path = await Deno.makeTempFile({ suffix: ".pgm" });
 * await Deno.writeTextFile(path, `P2\n80 60\n255\n${"90 ".repeat(80 * 60)}\n`);
 * const jpeg = await annotatePhoto(path, [{ box: { x: 20, y: 20, width: 30, height: 30 }, name: "Ada", probability: 0.97 }]);
 * const image = await decodeImage(jpeg);
 * assert.deepEqual([image.width, image.height], [80, 60]);
 * await Deno.remove(path);
 * ```
 */
export async function annotatePhoto(
  path: string,
  faces: readonly FaceLabel[],
  options: AnnotateOptions & { quality?: number } = {},
): Promise<Uint8Array> {
  const image = await readImage(path);
  return await encodeJpeg(annotateFaces(image, faces, options), options.quality ?? 90);
}

/**
 * The file name an annotated copy of `path` gets: its base name with `.jpg`, and `-2`, `-3`...
 * when another input already took that name (`a/x.png` and `b/x.jpg` both become `x.jpg`).
 *
 * @param taken names given so far; the new name is added to it.
 */
export function annotatedName(path: string, taken: Set<string>): string {
  const stem = basename(path, extname(path)) || "photo";
  let name = `${stem}.jpg`;
  for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${stem}-${i}.jpg`;
  taken.add(name.toLowerCase());
  return name;
}
