/**
 * Find faces and their 68 landmarks in a photo with the pretrained SSD MobileNet v1 detector and
 * the 68-point landmark network of `@vladmandic/face-api`.
 *
 * face-api's own `detectAllFaces` reads tensors synchronously, which crashes under WebGPU in Deno;
 * here only the networks' forward passes are borrowed and every read is `await t.data()`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Tensor3D } from "../backend/tf_types.ts";
import * as faceapi from "@vladmandic/face-api/dist/face-api.node-wasm.js";
import { type Box, clampBox, nonMaxSuppression, type Point } from "./geometry.ts";
import { loadWeightMap } from "./weights.ts";

/** One face found in a photo. Coordinates are pixels of the photo. */
export interface DetectedFace {
  /** The face's box, clipped to the photo. */
  box: Box;
  /** Detector confidence, 0..1. */
  score: number;
  /** The 68 landmarks in the iBUG 300-W order (jaw 0-16, brows 17-26, nose 27-35, eyes 36-47, mouth 48-67). */
  landmarks: Point[];
  /** Which detection pass found the face: 1 = whole photo, 2 = the finer tiled pass, 3 = whole image taken as the face. */
  pass: 1 | 2 | 3;
}

/** Per-call detection options. */
export interface DetectOptions {
  /** Minimum detector score in the first pass over the whole photo. */
  minConfidence?: number;
  /** Run a finer second pass (overlapping tiles, lower threshold) when the first finds nothing. */
  fallback?: boolean;
  /** Minimum detector score in the second pass. */
  fallbackConfidence?: number;
  /** Take a small image with no detected face as one tight face crop (e.g. 92x112 datasets). */
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

/** A face box before landmarks. */
export interface FaceBox {
  /** The face's box in the photo's pixels. */
  box: Box;
  /** Detector confidence, 0..1. */
  score: number;
  /** Which pass found it, as in {@linkcode DetectedFace}. */
  pass: DetectedFace["pass"];
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
 * import * as tf from "@tensorflow/tfjs";
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
  readonly #ssd: faceapi.SsdMobilenetv1;
  readonly #landmarks: faceapi.FaceLandmark68Net;

  private constructor(ssd: faceapi.SsdMobilenetv1, landmarks: faceapi.FaceLandmark68Net) {
    this.#ssd = ssd;
    this.#landmarks = landmarks;
  }

  /** Load the pretrained detector and landmark weights from the installed face-api package. */
  static async load(): Promise<FaceDetector> {
    const ssd = new faceapi.SsdMobilenetv1();
    ssd.loadFromWeightMap(asFaceApi(await loadWeightMap("ssd_mobilenetv1_model")));
    const landmarks = new faceapi.FaceLandmark68Net();
    landmarks.loadFromWeightMap(asFaceApi(await loadWeightMap("face_landmark_68_model")));
    return new FaceDetector(ssd, landmarks);
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
    const found = await this.locate(image, options);
    if (found.length === 0) return [];
    const crops = found.map((c) => cropBox(image, c.box));
    try {
      const landmarks = await this.landmarks(crops);
      return found.map((c, i) => ({ ...c, landmarks: landmarks[i] }));
    } finally {
      crops.forEach((c) => c.tensor.dispose());
    }
  }

  /**
   * Find face boxes: the whole image first, then (when that finds nothing) the finer tiled pass,
   * then, for a small image, the whole image as one face crop.
   *
   * @param fine makes a sharper copy of the image for the tiled pass (it is disposed here);
   *   without it the tiles are cut from `image`.
   * @returns boxes clamped to the image, most confident first.
   */
  async locate(
    image: Tensor3D,
    options: DetectOptions = {},
    fine?: () => Tensor3D,
  ): Promise<FaceBox[]> {
    const opts = { ...DEFAULT_DETECT_OPTIONS, ...options };
    validateOptions(opts);
    const [height, width] = image.shape;
    const lowest = opts.fallback
      ? Math.min(opts.minConfidence, opts.fallbackConfidence)
      : opts.minConfidence;
    const first = (await this.#locate([image], lowest))[0];
    let pass: DetectedFace["pass"] = 1;
    let found = first.filter((c) => c.score >= opts.minConfidence);
    if (found.length === 0 && opts.fallback) {
      pass = 2;
      // The first pass's weaker candidates count too; tiles look closer. 2x2 tiles first, 3x3 only
      // when those find nothing either.
      const source = fine?.() ?? image;
      const k = width / source.shape[1];
      const weak = first.filter((c) => c.score >= opts.fallbackConfidence);
      try {
        for (const grid of [2, 3]) {
          const tiled = (await this.#locateTiles(source, grid, opts.fallbackConfidence)).map((
            c,
          ) => ({
            ...c,
            box: {
              x: c.box.x * k,
              y: c.box.y * k,
              width: c.box.width * k,
              height: c.box.height * k,
            },
          }));
          found = suppress([...weak, ...tiled]);
          if (tiled.length > 0) break;
        }
      } finally {
        if (source !== image) source.dispose();
      }
    }
    if (found.length === 0 && Math.max(width, height) <= opts.wholeImageBelow) {
      pass = 3;
      found = [{ box: { x: 0, y: 0, width, height }, score: 0 }];
    }
    return found
      .map((c) => ({ ...c, box: clampBox(c.box, width, height), pass }))
      .filter((c) => Math.min(c.box.width, c.box.height) >= MIN_FACE_SIZE)
      .slice(0, opts.maxFaces);
  }

  /**
   * The 68 landmarks of faces, each given as a crop of exactly its box and the crop's position.
   *
   * @returns landmarks in the coordinates the crop positions are given in.
   */
  async landmarks(crops: readonly FaceCrop[]): Promise<Point[][]> {
    if (crops.length === 0) return [];
    const netInput = await faceapi.toNetInput(asFaceApi(crops.map((c) => c.tensor)));
    const out = this.#landmarks.forwardInput(netInput);
    const data = await out.data();
    out.dispose();
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

  /** Run SSD on each input; boxes come back in each input's pixel coordinates. */
  async #locate(inputs: tf.Tensor3D[], minConfidence: number): Promise<Candidate[][]> {
    const netInput = await faceapi.toNetInput(asFaceApi(inputs));
    const out = this.#ssd.forwardInput(netInput);
    try {
      const results: Candidate[][] = [];
      for (let i = 0; i < inputs.length; i++) {
        const [boxes, scores] = await Promise.all([out.boxes[i].data(), out.scores[i].data()]);
        const [h, w] = inputs[i].shape;
        // face-api pads each input to a square at the bottom/right before resizing it.
        const side = Math.max(h, w);
        const cands: Candidate[] = [];
        for (let k = 0; k < scores.length; k++) {
          if (scores[k] < minConfidence) continue;
          const y0 = Math.max(0, boxes[4 * k]) * side;
          const x0 = Math.max(0, boxes[4 * k + 1]) * side;
          const y1 = Math.min(1, boxes[4 * k + 2]) * side;
          const x1 = Math.min(1, boxes[4 * k + 3]) * side;
          if (x1 > x0 && y1 > y0) {
            cands.push({
              box: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 },
              score: scores[k],
            });
          }
        }
        results.push(suppress(cands));
      }
      return results;
    } finally {
      out.boxes.forEach((t) => t.dispose());
      out.scores.forEach((t) => t.dispose());
    }
  }

  /** The finer pass: the whole photo plus overlapping tiles that each get the detector's full resolution. */
  /** Run SSD on overlapping tiles of the image; boxes come back in the image's coordinates. */
  async #locateTiles(
    image: tf.Tensor3D,
    grid: number,
    minConfidence: number,
  ): Promise<Candidate[]> {
    const [height, width] = image.shape;
    const tiles = tileBoxes(width, height, grid);
    const crops = tiles.map((t) => tf.slice(image, [t.y, t.x, 0], [t.height, t.width, 3]));
    try {
      const all: Candidate[] = [];
      (await this.#locate(crops, minConfidence)).forEach((cands, i) => {
        for (const c of cands) {
          all.push({ ...c, box: { ...c.box, x: c.box.x + tiles[i].x, y: c.box.y + tiles[i].y } });
        }
      });
      return all;
    } finally {
      crops.forEach((t) => t.dispose());
    }
  }
}

/**
 * face-api's typings name its bundled copy of tfjs, which is the same runtime engine as ours (tfjs
 * keeps one global engine) but a distinct type to TypeScript.
 */
// deno-lint-ignore no-explicit-any
function asFaceApi(value: unknown): any {
  return value;
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
