/**
 * The whole pipeline for new photos: faces -> embeddings -> head -> names, with `unknown` for a
 * face too far from the named person (see open_set.ts).
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { join } from "node:path";
import type { LayersModel } from "../backend/tf_types.ts";
import { type AnalyzerConfig, FaceAnalyzer, type PhotoRecord } from "../embed/photo.ts";
import { BACKBONE_ID } from "../embed/weights.ts";
import { centroidDistance } from "./open_set.ts";
import { normalize } from "./vectors.ts";
import type { Box } from "../face/geometry.ts";
import { BACKBONE_DIR, loadModel, type ModelInfo } from "./model_io.ts";

/** The name given to a face that no person's threshold accepts. */
export const UNKNOWN = "unknown";

/** One recognised face. */
export interface RecognizedFace {
  /** The face's box in the upright photo's pixels. */
  box: Box;
  /** The person, or "unknown" when the person's threshold does not accept the face. */
  name: string;
  /** The head's probability for its best person. */
  probability: number;
  /** The best person even when the face is called unknown. */
  bestGuess: string;
  /**
   * How far inside the best guess's threshold the face is: `threshold - distance` (positive:
   * accepted), or `probability - threshold` for a model without open-set calibration.
   */
  margin: number;
  /** Distance of the face to the best guess's centroid; absent without open-set calibration. */
  distance?: number;
  /** The threshold the face was held to: the best guess's own, or the override. */
  threshold: number;
  /** Detector confidence. */
  detectionScore: number;
}

/** A photo's result. */
export interface Recognition {
  /** Width of the upright photo in pixels. */
  width: number;
  /** Height of the upright photo in pixels. */
  height: number;
  /** Every face found, named or unknown. */
  faces: RecognizedFace[];
}

/** Per-call options. */
export interface RecognizeOptions {
  /**
   * One threshold for everyone instead of the model's: a distance to the centroid (0..2), or a
   * probability for a model without open-set calibration.
   */
  threshold?: number;
}

/**
 * A trained model ready to name faces.
 *
 * @example Name the faces of an analyzed photo
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend } from "../backend/backend.ts";
 * import { FaceAnalyzer } from "../embed/photo.ts";
 * import { buildHead } from "./head.ts";
 * import { MODEL_FORMAT } from "./model_io.ts";
 * import { Recognizer, UNKNOWN } from "./recognizer.ts";
 *
 * await initBackend("cpu");
 * const analyzer = await FaceAnalyzer.load({ cacheDir: false });
 * const info = {
 *   format: MODEL_FORMAT,
 *   labels: ["Ada", "Bob"],
 *   backbone: analyzer.backboneId,
 *   chip: { size: 150, padding: 0.25, alignment: "example" },
 *   embedding: { size: 128, normalize: "l2" as const },
 *   threshold: { value: 0.99, rule: "strict, for the example" },
 *   createdAt: new Date().toISOString(),
 *   training: {},
 * };
 * const recognizer = new Recognizer(analyzer, buildHead({ inputSize: 128, classes: 2 }), info);
 * // An untrained head is unsure about any face, so the strict threshold calls it unknown.
 * const face = { box: { x: 10, y: 10, width: 50, height: 60 }, score: 0.9, pass: 1 as const, landmarks: [], embedding: Array(128).fill(0.1) };
 * const { faces } = await recognizer.recognizeRecord({ width: 100, height: 100, faces: [face] });
 * assert.equal(faces[0].name, UNKNOWN);
 * assert.ok(["Ada", "Bob"].includes(faces[0].bestGuess));
 * recognizer.dispose();
 * ```
 */
export class Recognizer {
  /** Finds, aligns and embeds the faces. */
  readonly analyzer: FaceAnalyzer;
  /** The trained classifier head. */
  readonly head: LayersModel;
  /** The model's facefit.json: people, threshold, backbone. */
  readonly info: ModelInfo;

  /** Wrap loaded parts; {@linkcode Recognizer.load} is the usual way to get one. */
  constructor(analyzer: FaceAnalyzer, head: LayersModel, info: ModelInfo) {
    this.analyzer = analyzer;
    this.head = head;
    this.info = info;
  }

  /**
   * Load a model folder and the pretrained networks it builds on.
   *
   * @throws Error when the folder is missing or damaged, or was made for another backbone.
   */
  static async load(modelDir: string, config: AnalyzerConfig = {}): Promise<Recognizer> {
    const { head, info, backbone } = await loadModel(modelDir);
    const expected = info.fineTune ? info.fineTune.baseBackbone : info.backbone;
    // The analyzer (and its workers) load the fine-tuned backbone from its folder themselves.
    backbone?.dispose();
    let analyzer: FaceAnalyzer;
    try {
      analyzer = await FaceAnalyzer.load(
        backbone
          ? { ...config, backboneDir: join(modelDir, BACKBONE_DIR), backboneId: info.backbone }
          : config,
      );
    } catch (error) {
      head.dispose();
      throw error;
    }
    const base = backbone ? BACKBONE_ID : analyzer.backboneId;
    if (expected !== base) {
      head.dispose();
      analyzer.dispose();
      throw new Error(
        `Model "${modelDir}" was trained on backbone "${expected}" but this facefit has ` +
          `"${base}"; retrain the model`,
      );
    }
    return new Recognizer(analyzer, head, info);
  }

  /** Free the networks. */
  dispose(): void {
    this.head.dispose();
    this.analyzer.dispose();
  }

  /** Probabilities `[faces][people]` for face embeddings. */
  async classify(embeddings: readonly ArrayLike<number>[]): Promise<Float32Array[]> {
    if (embeddings.length === 0) return [];
    const d = this.info.embedding.size;
    const flat = new Float32Array(embeddings.length * d);
    embeddings.forEach((e, i) => flat.set(normalize(e), i * d));
    const probs = tf.tidy(() =>
      this.head.predict(tf.tensor2d(flat, [embeddings.length, d])) as tf.Tensor
    );
    const data = await probs.data() as Float32Array;
    probs.dispose();
    const k = this.info.labels.length;
    return embeddings.map((_, i) => data.slice(i * k, (i + 1) * k));
  }

  /** Name the faces of an analyzed photo. */
  async recognizeRecord(record: PhotoRecord, options: RecognizeOptions = {}): Promise<Recognition> {
    const probs = await this.classify(record.faces.map((f) => f.embedding));
    const openSet = this.info.openSet;
    const faces = record.faces.map((f, i): RecognizedFace => {
      const p = probs[i];
      let best = 0;
      for (let k = 1; k < p.length; k++) if (p[k] > p[best]) best = k;
      const bestGuess = this.info.labels[best];
      const common = { box: f.box, probability: p[best], bestGuess, detectionScore: f.score };
      if (!openSet) {
        const threshold = options.threshold ?? this.info.threshold.value;
        const name = p[best] >= threshold ? bestGuess : UNKNOWN;
        return { ...common, name, margin: p[best] - threshold, threshold };
      }
      // A person the calibration never saw (no training face) accepts nobody.
      const threshold = options.threshold ?? openSet.people[bestGuess]?.threshold ?? 0;
      const distance = openSet.centroids[bestGuess]
        ? centroidDistance(openSet, bestGuess, normalize(f.embedding))
        : 2;
      const name = distance <= threshold ? bestGuess : UNKNOWN;
      return { ...common, name, margin: threshold - distance, distance, threshold };
    });
    return { width: record.width, height: record.height, faces };
  }

  /**
   * Find and name every face in a photo file.
   *
   * @throws Error naming the file when it cannot be read or decoded.
   */
  async recognizeFile(path: string, options: RecognizeOptions = {}): Promise<Recognition> {
    return await this.recognizeRecord(await this.analyzer.analyzeFile(path), options);
  }
}
