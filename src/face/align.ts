/**
 * Align each face to a canonical chip: the landmarks are mapped by a least-squares similarity
 * transform onto dlib's mean face, the layout the ResNet face descriptor was trained on (dlib's
 * `get_face_chip_details` with 150 px and 25 % padding). Eyes come out level, at a fixed scale.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { Tensor3D, Tensor4D } from "../backend/tf_types.ts";
import {
  applySimilarity,
  type Box,
  fitSimilarity,
  type Point,
  type Similarity,
} from "./geometry.ts";

/** Chip side in pixels, the input size of the face descriptor network. */
export const CHIP_SIZE = 150;
/** Border around the mean face, as a fraction of its size (dlib's default 0.25). */
export const CHIP_PADDING = 0.25;

/** dlib's mean face shape for landmarks 17..67, in a unit square. */
const MEAN_FACE_X = [
  0.000213256,
  0.0752622,
  0.18113,
  0.29077,
  0.393397,
  0.586856,
  0.689483,
  0.799124,
  0.904991,
  0.98004,
  0.490127,
  0.490127,
  0.490127,
  0.490127,
  0.36688,
  0.426036,
  0.490127,
  0.554217,
  0.613373,
  0.121737,
  0.187122,
  0.265825,
  0.334606,
  0.260918,
  0.182743,
  0.645647,
  0.714428,
  0.793132,
  0.858516,
  0.79751,
  0.719335,
  0.254149,
  0.340985,
  0.428858,
  0.490127,
  0.551395,
  0.639268,
  0.726104,
  0.642159,
  0.556721,
  0.490127,
  0.423532,
  0.338094,
  0.290379,
  0.428096,
  0.490127,
  0.552157,
  0.689874,
  0.553364,
  0.490127,
  0.42689,
];
const MEAN_FACE_Y = [
  0.106454,
  0.038915,
  0.0187482,
  0.0344891,
  0.0773906,
  0.0773906,
  0.0344891,
  0.0187482,
  0.038915,
  0.106454,
  0.203352,
  0.307009,
  0.409805,
  0.515625,
  0.587326,
  0.609345,
  0.628106,
  0.609345,
  0.587326,
  0.216423,
  0.178758,
  0.179852,
  0.231733,
  0.245099,
  0.244077,
  0.231733,
  0.179852,
  0.178758,
  0.216423,
  0.244077,
  0.245099,
  0.780233,
  0.745405,
  0.727388,
  0.742578,
  0.727388,
  0.745405,
  0.780233,
  0.864805,
  0.902192,
  0.909281,
  0.902192,
  0.864805,
  0.784792,
  0.778746,
  0.785343,
  0.778746,
  0.784792,
  0.824182,
  0.831803,
  0.824182,
];

/**
 * Landmarks used for the fit: nose, eyes and upper mouth. Brows and the lower lip move with
 * expression, so (as dlib does) they are left out.
 */
const FIT_INDICES = Array.from({ length: 51 }, (_, i) => i + 17)
  .filter((i) => !(i <= 26 || (i >= 55 && i <= 59) || (i >= 65 && i <= 67)));

/** Per-call alignment options. */
export interface AlignOptions {
  /** Chip side in pixels. */
  size?: number;
  /** Border around the mean face, as a fraction of its size. */
  padding?: number;
}

/**
 * The similarity transform from chip pixels to photo pixels for one face.
 *
 * @param landmarks the 68 landmarks of the face, in photo pixels.
 *
 * @example A face twice as large maps with twice the scale
 * ```ts
 * import assert from "node:assert/strict";
 * import { chipTransform } from "./align.ts";
 *
 * const face = Array.from({ length: 68 }, (_, i) => ({ x: 100 + 40 * Math.cos(i), y: 120 + 50 * Math.sin(1.3 * i) }));
 * const small = chipTransform(face);
 * const large = chipTransform(face.map((p) => ({ x: 2 * p.x, y: 2 * p.y })));
 * const scale = (t: { a: number; b: number }) => Math.hypot(t.a, t.b);
 * assert.ok(Math.abs(scale(large) / scale(small) - 2) < 1e-9);
 * ```
 */
export function chipTransform(landmarks: readonly Point[], options: AlignOptions = {}): Similarity {
  const size = options.size ?? CHIP_SIZE;
  const padding = options.padding ?? CHIP_PADDING;
  if (landmarks.length !== 68) {
    throw new RangeError(`Expected 68 landmarks, got ${landmarks.length}`);
  }
  const from = FIT_INDICES.map((i) => ({
    x: ((padding + MEAN_FACE_X[i - 17]) / (2 * padding + 1)) * size,
    y: ((padding + MEAN_FACE_Y[i - 17]) / (2 * padding + 1)) * size,
  }));
  const to = FIT_INDICES.map((i) => landmarks[i]);
  return fitSimilarity(from, to);
}

/**
 * Cut aligned chips out of a photo.
 *
 * @param image the photo, `[height, width, 3]`, values 0..255.
 * @param transforms one chip-to-photo transform per face (see {@linkcode chipTransform}).
 * @returns float32 chips `[n, size, size, 3]`, values 0..255; the caller disposes it.
 *
 * @example Cut one chip
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { initBackend } from "../backend/backend.ts";
 * import { CHIP_SIZE, extractChips } from "./align.ts";
 *
 * await initBackend("cpu");
 * const photo = tf.fill([300, 400, 3], 200, "int32") as tf.Tensor3D;
 * // Chip pixel (x, y) comes from photo pixel (x + 50, y + 20).
 * const chips = extractChips(photo, [{ a: 1, b: 0, tx: 50, ty: 20 }]);
 * assert.deepEqual(chips.shape, [1, CHIP_SIZE, CHIP_SIZE, 3]);
 * tf.dispose([photo, chips]);
 * ```
 */
export function extractChips(
  image: Tensor3D,
  transforms: readonly Similarity[],
  options: AlignOptions = {},
): Tensor4D {
  const size = options.size ?? CHIP_SIZE;
  if (transforms.length === 0) return tf.zeros([0, size, size, 3]);
  return tf.tidy(() => {
    const chips = transforms.map((t) => extractOne(image, t, size));
    return tf.concat(chips, 0);
  });
}

/**
 * One chip. When the face is much larger than the chip, the region around it is first box-filtered
 * down by an integer factor so that bilinear sampling does not alias.
 */
function extractOne(image: tf.Tensor3D, t: Similarity, size: number): tf.Tensor4D {
  const [height, width] = image.shape;
  const factor = Math.max(1, Math.floor(Math.hypot(t.a, t.b)));
  const fp = chipFootprint(t, size);
  const x0 = clamp(Math.floor(fp.x), 0, width - 1);
  const y0 = clamp(Math.floor(fp.y), 0, height - 1);
  const x1 = clamp(Math.ceil(fp.x + fp.width), x0 + 1, width);
  const y1 = clamp(Math.ceil(fp.y + fp.height), y0 + 1, height);
  let region = tf.slice(image, [y0, x0, 0], [y1 - y0, x1 - x0, 3]).toFloat().expandDims(
    0,
  ) as tf.Tensor4D;
  let f = factor;
  if (f > 1 && region.shape[1] >= f && region.shape[2] >= f) {
    region = tf.avgPool(region, f, f, "valid");
  } else {
    f = 1;
  }
  // Photo coordinates -> pooled-region coordinates: x' = (x - x0 - (f - 1) / 2) / f.
  const a = t.a / f, b = t.b / f;
  const tx = (t.tx - x0 - (f - 1) / 2) / f;
  const ty = (t.ty - y0 - (f - 1) / 2) / f;
  const matrix = tf.tensor2d([[a, -b, tx, b, a, ty, 0, 0]]);
  return tf.image.transform(region, matrix, "bilinear", "nearest", 0, [size, size]) as tf.Tensor4D;
}

/**
 * The photo region a chip samples from (its corners' bounding box, with a margin for the box
 * filter), unclamped.
 */
export function chipFootprint(t: Similarity, size: number = CHIP_SIZE): Box {
  const corners = [[0, 0], [size, 0], [0, size], [size, size]]
    .map(([x, y]) => applySimilarity(t, { x, y }));
  const margin = Math.max(1, Math.floor(Math.hypot(t.a, t.b))) + 1;
  const x0 = Math.min(...corners.map((p) => p.x)) - margin;
  const y0 = Math.min(...corners.map((p) => p.y)) - margin;
  const x1 = Math.max(...corners.map((p) => p.x)) + margin;
  const y1 = Math.max(...corners.map((p) => p.y)) + margin;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** The same transform for a crop whose top-left corner sits at (x, y) of the photo. */
export function shiftSimilarity(t: Similarity, x: number, y: number): Similarity {
  return { ...t, tx: t.tx - x, ty: t.ty - y };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
