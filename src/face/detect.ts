/**
 * Find faces and their 68 landmarks in a photo with the pretrained SSD MobileNet v1 detector and
 * the 68-point landmark network of `@vladmandic/face-api`.
 *
 * face-api's own `detectAllFaces` reads tensors synchronously, which crashes under WebGPU in Deno;
 * here only the networks' weights are borrowed (`ssd.ts`, `landmark_net.ts` run them with fused
 * kernels) and every read is `await t.data()`.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { Tensor3D } from "../backend/tf_types.ts";
import { fullSize, regionOf, type RgbImage, type ShrunkImage } from "../image/mod.ts";
import { type Box, clampBox, nonMaxSuppression, type Point } from "./geometry.ts";
import { LandmarkNet } from "./landmark_net.ts";
import { averageMirrored } from "./mirror.ts";
import { Ssd, type SsdRunner } from "./ssd.ts";
import { boxOfLandmarks, judgeTightCrop } from "./tight_crop.ts";

/** One face found in a photo. Coordinates are pixels of the photo. */
export interface DetectedFace {
  /** The face's box, clipped to the photo. */
  box: Box;
  /** Detector confidence, 0..1. */
  score: number;
  /** The 68 landmarks in the iBUG 300-W order (jaw 0-16, brows 17-26, nose 27-35, eyes 36-47, mouth 48-67). */
  landmarks: Point[];
  /**
   * Which detection pass found the face: 1 = the whole photo; 2 = a second look (the first pass's
   * weaker candidates, else tiles); 3 = a small image taken as one face crop (read as a tight
   * crop by its landmarks, also when the detector found nothing in it).
   */
  pass: 1 | 2 | 3;
}

/** Runs SSD passes elsewhere (worker threads) when it has room for one more. */
export interface SsdHelper {
  /** A runner for one pass on decoded pixels, or undefined when busy enough already. */
  withRoom(): SsdRunner | undefined;
  /**
   * A runner for one landmark pass, only where a worker holds no SSD pass and has room
   * (undefined otherwise): on photos the workers' time belongs to SSD passes. A small image costs
   * several landmark passes and rarely an SSD pass, so without this its worker would sit idle
   * while this thread did everything.
   */
  forLandmarks?(): LandmarkRunner | undefined;
}

/** Something that runs the landmark network on faces' pixels (see {@linkcode LandmarkNet.run}). */
export interface LandmarkRunner {
  /**
   * Landmarks relative to each face's picture, 136 numbers a face. The faces' pixel buffers may
   * be transferred to another thread (and so detached here): pass buffers of their own.
   */
  landmarks(faces: RgbImage[]): Promise<Float32Array>;
}

/** Per-call detection options. */
export interface DetectOptions {
  /** Minimum detector score in the first pass over the whole photo. */
  minConfidence?: number;
  /**
   * Take a second look when the first pass finds nothing: its candidates above
   * `fallbackConfidence`, else overlapping tiles at that threshold.
   */
  fallback?: boolean;
  /** Minimum detector score in the second pass. */
  fallbackConfidence?: number;
  /**
   * An image whose longer side is at most this many pixels may be a face crop (e.g. the classic
   * 92x112 sets): it is first read as a tight crop by the landmark network alone (no SSD pass),
   * else gets one SSD pass and no tiles, else is taken as one face, where its landmarks agree
   * best. 0 turns this off.
   */
  wholeImageBelow?: number;
  /** Keep at most this many faces, best first. */
  maxFaces?: number;
}

/** Defaults for {@linkcode DetectOptions}. */
export const DEFAULT_DETECT_OPTIONS: Required<DetectOptions> = {
  minConfidence: 0.5,
  fallback: true,
  fallbackConfidence: 0.3,
  wholeImageBelow: 256,
  maxFaces: 100,
};

const NMS_IOU = 0.4;
/** Faces smaller than this (pixels, shorter side) carry too little detail to recognise. */
const MIN_FACE_SIZE = 12;

interface Candidate {
  box: Box;
  score: number;
}

/** The detector's input is resized to this side; views of about this size keep it sharp. */
const VIEW_SIDE = 512;

/**
 * A small image that is not a tight crop gets its one SSD pass in the middle of a grey canvas
 * this many times its size.
 */
const CANVAS = 2;

/**
 * Pixels the detector can ask for at the resolution it needs, so that a photo need not be one
 * large tensor: see {@linkcode tensorSource} and {@linkcode rgbSource}.
 */
export interface DetectionSource {
  /** Width of the whole image in pixels. */
  width: number;
  /** Height of the whole image in pixels. */
  height: number;
  /**
   * A region, shrunk by a whole factor to at least `side` and less than twice `side` pixels on its
   * longer side (or left as it is when smaller): its pixels, the factor, and where the view's
   * top-left corner sits in the source.
   */
  view(region: Box, side: number): View;
}

/** What a {@linkcode DetectionSource} gives the detector. */
export interface View {
  /** The pixels: a tensor `[h, w, 3]` that the caller disposes, or decoded pixels. */
  image: Tensor3D | RgbImage;
  /** Source pixels per view pixel. */
  scale: number;
  /** Where the view's top-left corner sits in the source (whole pixels). */
  x: number;
  /** Where the view's top-left corner sits in the source (whole pixels). */
  y: number;
}

/**
 * A {@linkcode DetectionSource} over an image tensor.
 *
 * @example A 2000x1000 image seen through a 512-px view
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import assert from "node:assert/strict";
 * import { tensorSource } from "./detect.ts";
 *
 * await tf.setBackend("cpu");
 * const image = tf.zeros([1000, 2000, 3]) as tf.Tensor3D;
 * const view = tensorSource(image).view({ x: 0, y: 0, width: 2000, height: 1000 }, 512);
 * assert.equal(view.scale, 3);
 * assert.deepEqual((view.image as tf.Tensor3D).shape, [333, 666, 3]);
 * tf.dispose([image, view.image as tf.Tensor3D]);
 * ```
 */
export function tensorSource(image: Tensor3D): DetectionSource {
  const [height, width] = image.shape;
  return {
    width,
    height,
    view: (region, side) =>
      tf.tidy(() => {
        const r = clampBox(region, width, height);
        const x = Math.floor(r.x), y = Math.floor(r.y);
        const w = Math.max(1, Math.round(r.width)), h = Math.max(1, Math.round(r.height));
        const crop = tf.slice(image, [y, x, 0], [
          Math.min(h, height - y),
          Math.min(w, width - x),
          3,
        ]);
        const scale = Math.max(1, Math.floor(Math.max(w, h) / side));
        if (scale === 1) return { image: crop.toFloat() as Tensor3D, scale, x, y };
        const pooled = tf.avgPool(
          crop.toFloat().expandDims(0) as tf.Tensor4D,
          scale,
          scale,
          "valid",
        );
        return { image: pooled.squeeze([0]) as Tensor3D, scale, x, y };
      }),
  };
}

/**
 * A {@linkcode DetectionSource} over decoded pixels: each view is cropped and box-filtered in
 * JavaScript, so only the small view is handed to the detector.
 *
 * @example A view of the top-left quarter of a 1600x1200 photo
 * ```ts
 * import assert from "node:assert/strict";
 * import type { RgbImage } from "../image/mod.ts";
 * import { rgbSource } from "./detect.ts";
 *
 * const photo = { width: 1600, height: 1200, data: new Uint8Array(1600 * 1200 * 3) };
 * const view = rgbSource(photo).view({ x: 0, y: 0, width: 800, height: 600 }, 512);
 * const pixels = view.image as RgbImage;
 * assert.deepEqual([pixels.width, pixels.height, view.scale], [800, 600, 1]);
 * ```
 */
export function rgbSource(image: RgbImage): DetectionSource {
  return photoSource(fullSize(image));
}

/**
 * A {@linkcode DetectionSource} over a photo decoded at reduced size (see `decodeShrunk`): views
 * are cut from the pixels there are, so a view may be finer than asked for but never finer than
 * the decoded pixels.
 */
export function photoSource(photo: ShrunkImage): DetectionSource {
  return {
    width: photo.width,
    height: photo.height,
    view: (region, side) => {
      const r = clampBox(region, photo.width, photo.height);
      const factor = Math.max(1, Math.floor(Math.max(r.width, r.height) / side));
      const { scale, x, y, ...image } = regionOf(photo, r, factor);
      return { image, scale, x, y };
    },
  };
}

/** A face box before landmarks. */
export interface FaceBox {
  /** The face's box in the photo's pixels. */
  box: Box;
  /** Detector confidence, 0..1. */
  score: number;
  /** Which pass found it, as in {@linkcode DetectedFace}. */
  pass: DetectedFace["pass"];
  /** The face's 68 landmarks in the source's pixels, when finding it needed them already. */
  landmarks?: Point[];
}

/** A face's pixels for the landmark network: `tensor` shows the face box, placed at (x, y). */
export interface FaceCrop {
  /** The crop's pixels, `[height, width, 3]`; the caller disposes it. */
  tensor: Tensor3D;
  /** Left edge of the crop in the photo's pixels. */
  x: number;
  /** Top edge of the crop in the photo's pixels. */
  y: number;
  /** Size of one crop pixel in the output coordinates (1 unless the crop was resampled). */
  scale: number;
}

/** Cut a box out of an image tensor (the caller disposes the crop). */
export function cropBox(image: tf.Tensor3D, box: Box): FaceCrop {
  const x = Math.floor(box.x), y = Math.floor(box.y);
  const w = Math.max(1, Math.min(Math.round(box.width), image.shape[1] - x));
  const h = Math.max(1, Math.min(Math.round(box.height), image.shape[0] - y));
  return { tensor: tf.slice(image, [y, x, 0], [h, w, 3]), x, y, scale: 1 };
}

/**
 * The face detector and landmark network, loaded once and reused for every photo.
 *
 * @example Look for faces in a tensor
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { initBackend } from "../backend/backend.ts";
 * import { FaceDetector } from "./detect.ts";
 *
 * await initBackend("wasm");
 * const detector = await FaceDetector.load();
 * const grey = tf.fill([120, 160, 3], 128, "int32") as tf.Tensor3D;
 * const faces = await detector.detect(grey, { fallback: false, wholeImageBelow: 0 });
 * assert.equal(faces.length, 0); // a grey picture shows nobody
 * grey.dispose();
 * detector.dispose();
 * ```
 */
export class FaceDetector {
  readonly #ssd: Ssd;
  readonly #landmarks: LandmarkNet;
  /** Where SSD passes may run besides this thread, when it has room (see `runElsewhere`). */
  #helper: SsdHelper | undefined;

  private constructor(ssd: Ssd, landmarks: LandmarkNet) {
    this.#ssd = ssd;
    this.#landmarks = landmarks;
  }

  /** Load the pretrained detector and landmark weights from the installed face-api package. */
  static async load(): Promise<FaceDetector> {
    return new FaceDetector(await Ssd.load(), await LandmarkNet.load());
  }

  /**
   * Let `helper` run SSD passes on decoded pixels whenever it has room, and landmark passes
   * whenever it holds no SSD pass (it says so by handing out a runner); the rest run on this thread. Pass
   * undefined to run everything here again.
   */
  runElsewhere(helper: SsdHelper | undefined): void {
    this.#helper = helper;
  }

  /** Free the networks' weights. */
  dispose(): void {
    this.#ssd.dispose();
    this.#landmarks.dispose();
  }

  /**
   * Detect every face in an RGB image tensor `[height, width, 3]` (values 0..255), with landmarks.
   *
   * @returns the faces, most confident first.
   */
  async detect(image: Tensor3D, options: DetectOptions = {}): Promise<DetectedFace[]> {
    const found = await this.locate(tensorSource(image), options);
    const needed = found.filter((c) => !c.landmarks);
    const crops = needed.map((c) => cropBox(image, c.box));
    try {
      const landmarks = await this.landmarks(crops);
      return found.map((c) => ({ ...c, landmarks: c.landmarks ?? landmarks.shift()! }));
    } finally {
      crops.forEach((c) => c.tensor.dispose());
    }
  }

  /**
   * Find face boxes. A photo: the whole image first, then (when that finds nothing) a second look.
   * A small image (longer side at most `wholeImageBelow`): read as a tight face crop by its
   * landmarks first, else one SSD pass on it, else the whole image as the face. The detector asks
   * `source` for views of at most about 1024 px a side (it sees 512x512), so a large photo never
   * becomes a large tensor.
   *
   * @returns boxes in the source's pixels, clamped to it, most confident first.
   */
  async locate(source: DetectionSource, options: DetectOptions = {}): Promise<FaceBox[]> {
    const opts = { ...DEFAULT_DETECT_OPTIONS, ...options };
    validateOptions(opts);
    const { width, height } = source;
    const found = Math.max(width, height) <= opts.wholeImageBelow
      ? await this.#locateSmall(source, opts)
      : await this.#locatePhoto(source, opts);
    return found
      .map((c) => ({ ...c, box: clampBox(c.box, width, height) }))
      .filter((c) => Math.min(c.box.width, c.box.height) >= MIN_FACE_SIZE)
      .slice(0, opts.maxFaces);
  }

  /** SSD passes run since load, on this thread or elsewhere. */
  get passes(): number {
    return this.#passes;
  }
  #passes = 0;

  /** A photo: the whole image, then (when that finds nothing) a second look. */
  async #locatePhoto(source: DetectionSource, opts: Required<DetectOptions>): Promise<FaceBox[]> {
    const { width, height } = source;
    const whole = { x: 0, y: 0, width, height };
    const first = (await this.#locateViews(source, [whole], lowestScore(opts)))[0];
    const found = strongest(first, opts);
    if (found.length > 0 || !opts.fallback) return found;
    // The first pass's weaker candidates were taken as they are (strongest): on FC Barcelona, 44
    // of the 51 photos that needed a second look had one, and it was the face the tiles then
    // found. Only without any do tiles look closer: 2x2 first, 3x3 when those find nothing either.
    for (const grid of [2, 3]) {
      const tiles = tileBoxes(width, height, grid);
      const cands = suppress(
        (await this.#locateViews(source, tiles, opts.fallbackConfidence)).flat(),
      );
      if (cands.length > 0) return cands.map((c) => ({ ...c, pass: 2 }));
    }
    return [];
  }

  /**
   * A small image, often a face crop that fills it: tiles of it would be smaller than any face
   * the detector sees, and the SSD, trained on faces with context around them, misses most faces
   * that fill the picture. So the landmark network (a pass costs about a thirtieth of an SSD
   * pass) reads it as a tight crop first, from two starts; only when it is not one does the SSD
   * look, once, with the image in the middle of a grey canvas, which gives it the context a tight
   * crop lacks.
   */
  async #locateSmall(source: DetectionSource, opts: Required<DetectOptions>): Promise<FaceBox[]> {
    const { width, height } = source;
    const view = source.view({ x: 0, y: 0, width, height }, VIEW_SIDE);
    // The landmark network takes tensors; the SSD pass below takes the view as it is (decoded
    // pixels can go to an SSD worker).
    const tensor = view.image instanceof tf.Tensor ? view.image : toTensor(view.image);
    try {
      // Two starts: where a head crop's face usually sits (on FC Barcelona's 92x112 head crops
      // the reading from there was tight for 556 of 593 Train crops), then the whole image (5
      // more; these two readings cost about an eighth of an SSD pass).
      const readings = [];
      for (const start of [centredFace(width, height), { x: 0, y: 0, width, height }]) {
        const reading = await this.#readAsTightCrop(tensor, view, start, source);
        if (reading.tight) return [reading.face];
        readings.push(reading);
      }
      const cands = await this.#locateOnCanvas(view, WEAKEST_FACE);
      const sure = cands.filter((c) => c.score >= opts.minConfidence);
      if (sure.length > 0) return sure.map((c) => ({ ...c, pass: 1 }));
      // No sure face: a small image is taken as one face, the one the landmarks agree on best,
      // starting from the two starts above or the detector's best weak guess. (On FC Barcelona
      // head crops, the weak guess taken as it was, the way photos take it, was the wrong box or
      // a loose one in 4 of 4.)
      for (const weak of cands.slice(0, 1)) {
        readings.push(await this.#readAsTightCrop(tensor, view, weak.box, source));
      }
      return [readings.reduce((a, b) => b.drift < a.drift ? b : a).face];
    } finally {
      tensor.dispose();
    }
  }

  /**
   * Three looks of the landmark network: on `start` (the whole image first), then twice on the
   * box the previous look's landmarks imply. The image is a tight crop when the last two looks
   * agree on a face that fills it (see `judgeTightCrop`). The face is the last look's box, and the
   * mean of its landmarks and those of the same look at the mirror image (see `averageMirrored`):
   * on FC Barcelona's 92x112 Test crops, that lifted a model trained on the Train crops from 212
   * to 215 of 222 (README "Face crops").
   */
  async #readAsTightCrop(
    tensor: Tensor3D,
    view: View,
    start: Box,
    { width, height }: { width: number; height: number },
  ): Promise<{ face: FaceBox; tight: boolean; drift: number }> {
    const look = async (box: Box, mirrored = false) => {
      const crop = cropBox(tensor, {
        x: (box.x - view.x) / view.scale,
        y: (box.y - view.y) / view.scale,
        width: box.width / view.scale,
        height: box.height / view.scale,
      });
      const at = {
        x: view.x + crop.x * view.scale,
        y: view.y + crop.y * view.scale,
        scale: view.scale,
      };
      const mirror = mirrored ? tf.reverse(crop.tensor, 1) as Tensor3D : undefined;
      try {
        const [points, flipped] = await this.landmarks([
          { tensor: crop.tensor, ...at },
          ...(mirror ? [{ tensor: mirror, x: 0, y: 0, scale: 1 }] : []),
        ]);
        const mean = flipped ? averageMirrored(points, flipped, crop.tensor.shape[1], at) : points;
        return { points, mean };
      } finally {
        crop.tensor.dispose();
        mirror?.dispose();
      }
    };
    const boxOf = (points: Point[]) => clampBox(boxOfLandmarks(points), width, height);
    const first = await look(start);
    const second = await look(boxOf(first.points));
    const third = await look(boxOf(second.points), true);
    const box = boxOf(third.points);
    const verdict = judgeTightCrop(second.points, third.points, width, height);
    const tight = Math.min(box.width, box.height) >= MIN_FACE_SIZE && verdict.tight;
    return { face: { box, score: 0, pass: 3, landmarks: third.mean }, tight, drift: verdict.drift };
  }

  /** One SSD pass on a view placed in the middle of a grey canvas `CANVAS` times its size. */
  async #locateOnCanvas(view: View, minConfidence: number): Promise<Candidate[]> {
    const placed = onCanvas(view.image, CANVAS);
    try {
      return (await this.#locate(placed.image, minConfidence)).map((c) => ({
        ...c,
        box: {
          x: view.x + (c.box.x - placed.left) * view.scale,
          y: view.y + (c.box.y - placed.top) * view.scale,
          width: c.box.width * view.scale,
          height: c.box.height * view.scale,
        },
      }));
    } finally {
      if (placed.image instanceof tf.Tensor) placed.image.dispose();
    }
  }

  /**
   * SSD on views of regions of the source, one view at a time (a batch of nine tiles would hold
   * nine sets of activations at once); boxes come back in the source's pixels.
   */
  async #locateViews(
    source: DetectionSource,
    regions: Box[],
    minConfidence: number,
  ): Promise<Candidate[][]> {
    const out: Candidate[][] = [];
    for (const region of regions) {
      const view = source.view(region, VIEW_SIDE);
      try {
        const cands = await this.#locate(view.image, minConfidence);
        out.push(cands.map((c) => ({
          ...c,
          box: {
            x: view.x + c.box.x * view.scale,
            y: view.y + c.box.y * view.scale,
            width: c.box.width * view.scale,
            height: c.box.height * view.scale,
          },
        })));
      } finally {
        if (view.image instanceof tf.Tensor) view.image.dispose();
      }
    }
    return out;
  }

  /**
   * The 68 landmarks of faces, each given as a crop of exactly its box and the crop's position.
   *
   * @returns landmarks in the coordinates the crop positions are given in.
   */
  async landmarks(crops: readonly FaceCrop[]): Promise<Point[][]> {
    if (crops.length === 0) return [];
    // Whole-number pixels only, so that a face gets the same landmarks wherever they run.
    const elsewhere = crops.every((c) => c.tensor.dtype === "int32")
      ? this.#helper?.forLandmarks?.()
      : undefined;
    const data = elsewhere
      ? await elsewhere.landmarks(await Promise.all(crops.map((c) => pixelsOf(c.tensor))))
      : await this.#landmarks.run(crops.map((c) => c.tensor));
    return crops.map((crop, i) => {
      const [h, w] = crop.tensor.shape;
      const points: Point[] = [];
      for (let k = 0; k < 68; k++) {
        points.push({
          x: crop.x + data[i * 136 + 2 * k] * w * crop.scale,
          y: crop.y + data[i * 136 + 2 * k + 1] * h * crop.scale,
        });
      }
      return points;
    });
  }

  /** Run SSD on one image; boxes come back in its pixel coordinates. */
  async #locate(image: Tensor3D | RgbImage, minConfidence: number): Promise<Candidate[]> {
    this.#passes++;
    const runner: SsdRunner = image instanceof tf.Tensor
      ? this.#ssd
      : this.#helper?.withRoom() ?? this.#ssd;
    const { boxes, scores } = await runner.detect(image, minConfidence);
    // Boxes are relative to the image padded to a square at the bottom and right.
    const side = image instanceof tf.Tensor
      ? Math.max(image.shape[0], image.shape[1])
      : Math.max(image.width, image.height);
    const cands: Candidate[] = [];
    boxes.forEach(([ymin, xmin, ymax, xmax], k) => {
      const y0 = Math.max(0, ymin) * side, x0 = Math.max(0, xmin) * side;
      const y1 = Math.min(1, ymax) * side, x1 = Math.min(1, xmax) * side;
      if (x1 > x0 && y1 > y0) {
        cands.push({ box: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }, score: scores[k] });
      }
    });
    return suppress(cands);
  }
}

/** A face crop's pixels (whole numbers, 0..255), to travel to a worker. */
async function pixelsOf(tensor: Tensor3D): Promise<RgbImage> {
  const [height, width] = tensor.shape;
  return { width, height, data: Uint8Array.from(await tensor.data()) };
}

/**
 * The weakest SSD candidate a small image's last resort considers: on FC Barcelona head crops
 * that the first looks missed, the face often scored 0.05-0.3 on the canvas.
 */
const WEAKEST_FACE = 0.05;

/**
 * Where a head crop's face box usually sits: centred across, a little below the middle, 70% of
 * the width and as tall as a face box of that width (see `boxOfLandmarks`).
 */
function centredFace(width: number, height: number): Box {
  const w = 0.7 * width, h = Math.min(height, 1.37 * w);
  return {
    x: (width - w) / 2,
    y: Math.min(height - h, (height - h) / 2 + 0.03 * height),
    width: w,
    height: h,
  };
}

/** The lowest score any pass keeps under these options. */
function lowestScore(opts: Required<DetectOptions>): number {
  return opts.fallback ? Math.min(opts.minConfidence, opts.fallbackConfidence) : opts.minConfidence;
}

/**
 * The candidates above `minConfidence` (pass 1), else, with `fallback`, those above
 * `fallbackConfidence` (pass 2, the second look's first step).
 */
function strongest(cands: Candidate[], opts: Required<DetectOptions>): FaceBox[] {
  const sure = cands.filter((c) => c.score >= opts.minConfidence);
  if (sure.length > 0 || !opts.fallback) return sure.map((c) => ({ ...c, pass: 1 }));
  return cands.filter((c) => c.score >= opts.fallbackConfidence).map((c) => ({ ...c, pass: 2 }));
}

/**
 * An image in the middle of a mid-grey square canvas `factor` times its longer side: decoded
 * pixels stay decoded pixels (so that an SSD worker can take the pass), a tensor a tensor.
 */
function onCanvas(
  image: Tensor3D | RgbImage,
  factor: number,
): { image: Tensor3D | RgbImage; left: number; top: number } {
  const [h, w] = image instanceof tf.Tensor ? image.shape : [image.height, image.width];
  const side = Math.round(Math.max(w, h) * factor);
  const left = Math.floor((side - w) / 2), top = Math.floor((side - h) / 2);
  if (image instanceof tf.Tensor) {
    const padded = tf.tidy(() =>
      tf.pad(image.toFloat(), [[top, side - h - top], [left, side - w - left], [0, 0]], 128)
    ) as Tensor3D;
    return { image: padded, left, top };
  }
  const data = new Uint8Array(side * side * 3).fill(128);
  for (let y = 0; y < h; y++) {
    data.set(image.data.subarray(y * w * 3, (y + 1) * w * 3), ((top + y) * side + left) * 3);
  }
  return { image: { width: side, height: side, data }, left, top };
}

function toTensor(image: RgbImage): Tensor3D {
  return tf.tensor3d(image.data, [image.height, image.width, 3], "int32");
}

function suppress(cands: Candidate[]): Candidate[] {
  const keep = nonMaxSuppression(cands.map((c) => c.box), cands.map((c) => c.score), NMS_IOU);
  return keep.map((i) => cands[i]);
}

/**
 * A `grid` x `grid` layout of overlapping tiles, each 1.2 / grid of the image's width and height,
 * so that a face small in the whole photo fills more of the detector's 512x512 input.
 */
export function tileBoxes(width: number, height: number, grid: number): Box[] {
  const tw = Math.min(width, Math.ceil((width * 1.2) / grid));
  const th = Math.min(height, Math.ceil((height * 1.2) / grid));
  const tiles: Box[] = [];
  for (let gy = 0; gy < grid; gy++) {
    for (let gx = 0; gx < grid; gx++) {
      const x = grid === 1 ? 0 : Math.round(((width - tw) * gx) / (grid - 1));
      const y = grid === 1 ? 0 : Math.round(((height - th) * gy) / (grid - 1));
      tiles.push({ x, y, width: tw, height: th });
    }
  }
  return tiles;
}

function validateOptions(opts: Required<DetectOptions>): void {
  for (const key of ["minConfidence", "fallbackConfidence"] as const) {
    const v = opts[key];
    if (!(v >= 0 && v <= 1)) {
      throw new RangeError(`Invalid ${key} "${v}": use a number between 0 and 1`);
    }
  }
  if (!(opts.maxFaces >= 1)) {
    throw new RangeError(`Invalid maxFaces "${opts.maxFaces}": use a whole number of at least 1`);
  }
}
