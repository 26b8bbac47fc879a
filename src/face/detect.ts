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

/** The face detector and landmark network, loaded once and reused for every photo. */
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
   * Detect every face in an RGB image tensor `[height, width, 3]` (values 0..255).
   *
   * @returns the faces, most confident first.
   */
  async detect(image: Tensor3D, options: DetectOptions = {}): Promise<DetectedFace[]> {
    const opts = { ...DEFAULT_DETECT_OPTIONS, ...options };
    validateOptions(opts);
    const [height, width] = image.shape;
    let pass: DetectedFace["pass"] = 1;
    let found = (await this.#locate([image], opts.minConfidence))[0];
    if (found.length === 0 && opts.fallback) {
      pass = 2;
      found = await this.#locateFine(image, opts.fallbackConfidence);
    }
    if (found.length === 0 && Math.max(width, height) <= opts.wholeImageBelow) {
      pass = 3;
      found = [{ box: { x: 0, y: 0, width, height }, score: 0 }];
    }
    found = found
      .map((c) => ({ ...c, box: clampBox(c.box, width, height) }))
      .filter((c) => Math.min(c.box.width, c.box.height) >= MIN_FACE_SIZE)
      .slice(0, opts.maxFaces);
    if (found.length === 0) return [];
    const landmarks = await this.#landmarksOf(image, found.map((c) => c.box));
    return found.map((c, i) => ({ box: c.box, score: c.score, landmarks: landmarks[i], pass }));
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
  async #locateFine(image: tf.Tensor3D, minConfidence: number): Promise<Candidate[]> {
    const [height, width] = image.shape;
    const tiles = tileBoxes(width, height);
    const crops = tiles.map((t) => tf.slice(image, [t.y, t.x, 0], [t.height, t.width, 3]));
    try {
      const perInput = await this.#locate([image, ...crops], minConfidence);
      const all: Candidate[] = perInput[0];
      perInput.slice(1).forEach((cands, i) => {
        for (const c of cands) {
          all.push({ ...c, box: { ...c.box, x: c.box.x + tiles[i].x, y: c.box.y + tiles[i].y } });
        }
      });
      return suppress(all);
    } finally {
      crops.forEach((t) => t.dispose());
    }
  }

  async #landmarksOf(image: tf.Tensor3D, boxes: Box[]): Promise<Point[][]> {
    const crops = boxes.map((b) => {
      const x = Math.floor(b.x), y = Math.floor(b.y);
      const w = Math.max(1, Math.round(b.width)), h = Math.max(1, Math.round(b.height));
      return tf.slice(image, [y, x, 0], [
        Math.min(h, image.shape[0] - y),
        Math.min(w, image.shape[1] - x),
        3,
      ]);
    });
    try {
      const netInput = await faceapi.toNetInput(asFaceApi(crops));
      const out = this.#landmarks.forwardInput(netInput);
      const data = await out.data();
      out.dispose();
      return crops.map((crop, i) => {
        const [h, w] = crop.shape;
        const x0 = Math.floor(boxes[i].x), y0 = Math.floor(boxes[i].y);
        const points: Point[] = [];
        for (let k = 0; k < 68; k++) {
          points.push({ x: x0 + data[i * 136 + 2 * k] * w, y: y0 + data[i * 136 + 2 * k + 1] * h });
        }
        return points;
      });
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
 * Overlapping tiles about half the photo's shorter side wide (at least 320 px), stepping by half a
 * tile, so that a face small in the whole photo fills a useful part of the detector's 512x512 input.
 */
export function tileBoxes(width: number, height: number): Box[] {
  const side = Math.max(320, Math.round(Math.min(width, height) / 2));
  if (side >= Math.max(width, height)) return [];
  const starts = (length: number) => {
    if (length <= side) return [0];
    const n = Math.ceil((length - side) / (side / 2)) + 1;
    return Array.from({ length: n }, (_, i) => Math.round(((length - side) * i) / (n - 1)));
  };
  const tiles: Box[] = [];
  for (const y of starts(height)) {
    for (const x of starts(width)) {
      tiles.push({ x, y, width: Math.min(side, width), height: Math.min(side, height) });
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
