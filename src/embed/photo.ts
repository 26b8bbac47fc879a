/**
 * The front half of the pipeline for one photo: bytes -> decoded image -> faces -> aligned chips
 * -> embeddings, with the result cached by the file's content hash.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { defaultCacheDir, JsonCache, sha256Hex } from "../dataset/cache.ts";
import { decodeImage, type DecodeOptions, type RgbImage } from "../image/mod.ts";
import { CHIP_PADDING, chipTransform, extractChips } from "../face/align.ts";
import { type DetectedFace, type DetectOptions, FaceDetector } from "../face/detect.ts";
import type { Box, Point } from "../face/geometry.ts";
import { CHIP_SIZE } from "./backbone.ts";
import { embed } from "./embed.ts";
import { BACKBONE_ID, loadBackbone } from "./weights.ts";

/** One face of a photo with its embedding. */
export interface FaceRecord {
  box: Box;
  score: number;
  /** 1: found on the whole photo; 2: by the finer tiled pass; 3: the whole (small) image taken as the face. */
  pass: 1 | 2 | 3;
  landmarks: Point[];
  /** The backbone's descriptor (128 numbers). */
  embedding: number[];
}

/** Everything facefit needs to know about one photo. */
export interface PhotoRecord {
  width: number;
  height: number;
  faces: FaceRecord[];
}

/** Load-time configuration of a {@linkcode FaceAnalyzer}. */
export interface AnalyzerConfig {
  /** Cache folder, or false for no cache. Default: {@linkcode defaultCacheDir}. */
  cacheDir?: string | false;
  /** The backbone to embed with; default: the pretrained one. */
  backbone?: tf.LayersModel;
  /** Identifies the backbone's weights in cache keys; required with a custom backbone. */
  backboneId?: string;
  /** Detection settings, fixed for the analyzer's life because they are part of the cache key. */
  detect?: DetectOptions;
  /** Decoding limits. */
  decode?: DecodeOptions;
}

/** Alignment method id, part of the cache key: change it when chips change. */
export const ALIGNMENT_ID = `dlib-mean-face-51pt-p${CHIP_PADDING}-s${CHIP_SIZE}-v1`;

/** How many faces are embedded in one batch. */
const EMBED_BATCH = 16;

/** Runs detection, alignment and embedding on photos, with a content-addressed cache. */
export class FaceAnalyzer {
  readonly detector: FaceDetector;
  readonly backbone: tf.LayersModel;
  /** Identifies the backbone weights; a model trained on other weights is refused. */
  readonly backboneId: string;
  readonly #cache: JsonCache<PhotoRecord> | undefined;
  readonly #config: AnalyzerConfig;
  /** Counts of cache hits and misses since load. */
  readonly stats = { hits: 0, misses: 0 };

  private constructor(detector: FaceDetector, backbone: tf.LayersModel, config: AnalyzerConfig) {
    this.detector = detector;
    this.backbone = backbone;
    this.#config = config;
    this.backboneId = config.backboneId ?? BACKBONE_ID;
    const cacheDir = config.cacheDir === undefined ? defaultCacheDir() : config.cacheDir;
    const version = [
      config.backboneId ?? BACKBONE_ID,
      "ssd_mobilenetv1+landmark68",
      ALIGNMENT_ID,
      JSON.stringify(config.detect ?? {}),
    ].join("|");
    this.#cache = cacheDir === false ? undefined : new JsonCache(cacheDir, shortHash(version));
  }

  /** Load the pretrained detector and backbone. */
  static async load(config: AnalyzerConfig = {}): Promise<FaceAnalyzer> {
    if (config.backbone && !config.backboneId) {
      throw new TypeError(
        "A custom backbone needs a backboneId, so that cached embeddings stay apart",
      );
    }
    const [detector, backbone] = await Promise.all([
      FaceDetector.load(),
      config.backbone ? Promise.resolve(config.backbone) : loadBackbone(),
    ]);
    return new FaceAnalyzer(detector, backbone, config);
  }

  /** Free the networks. */
  dispose(): void {
    this.detector.dispose();
    this.backbone.dispose();
  }

  /**
   * Analyze a photo file, from the cache when its bytes were seen before.
   *
   * @throws Error naming the file when it cannot be read or decoded.
   */
  async analyzeFile(path: string): Promise<PhotoRecord> {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch (error) {
      throw new Error(`Cannot read "${path}": ${error instanceof Error ? error.message : error}`);
    }
    const key = this.#cache ? await sha256Hex(bytes) : "";
    const cached = await this.#cache?.get(key);
    if (cached) {
      this.stats.hits++;
      return cached;
    }
    this.stats.misses++;
    const image = await decodeImage(bytes, { ...this.#config.decode, path });
    const record = await this.analyzeImage(image);
    await this.#cache?.set(key, record);
    return record;
  }

  /** Analyze a decoded image (no cache). */
  async analyzeImage(image: RgbImage): Promise<PhotoRecord> {
    const tensor = tf.tensor3d(image.data, [image.height, image.width, 3], "int32");
    try {
      const faces = await this.detector.detect(tensor, this.#config.detect);
      const embeddings = await this.#embedFaces(tensor, faces);
      return {
        width: image.width,
        height: image.height,
        faces: faces.map((f, i) => ({
          box: roundBox(f.box),
          score: round(f.score, 4),
          pass: f.pass,
          landmarks: f.landmarks.map((p) => ({ x: round(p.x, 2), y: round(p.y, 2) })),
          embedding: Array.from(embeddings[i]),
        })),
      };
    } finally {
      tensor.dispose();
    }
  }

  async #embedFaces(image: tf.Tensor3D, faces: DetectedFace[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let start = 0; start < faces.length; start += EMBED_BATCH) {
      const batch = faces.slice(start, start + EMBED_BATCH);
      const descriptors = tf.tidy(() =>
        embed(this.backbone, extractChips(image, batch.map((f) => chipTransform(f.landmarks))))
      );
      const data = await descriptors.data() as Float32Array;
      descriptors.dispose();
      const d = data.length / batch.length;
      for (let i = 0; i < batch.length; i++) out.push(data.slice(i * d, (i + 1) * d));
    }
    return out;
  }
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function roundBox(b: Box): Box {
  return {
    x: round(b.x, 1),
    y: round(b.y, 1),
    width: round(b.width, 1),
    height: round(b.height, 1),
  };
}

/** A short stable hash of a string (FNV-1a, hex), for folder names. */
function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `v${h.toString(16).padStart(8, "0")}`;
}
