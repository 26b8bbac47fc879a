/**
 * The front half of the pipeline for one photo: bytes -> decoded image -> faces -> aligned chips
 * -> embeddings.
 *
 * Three caches, keyed by the file's content hash, keep the stages apart so that a change in one
 * does not redo the others: faces (detector + alignment settings), chips (alignment) and
 * embeddings (backbone weights). A fine-tuned backbone thus re-embeds cached chips without
 * decoding or detecting again.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { LayersModel } from "../backend/tf_types.ts";
import { defaultCacheDir, FileCache, JsonCache, sha256Hex } from "../dataset/cache.ts";
import {
  type DecodeOptions,
  decodeShrunk,
  fullSize,
  readImageBytes,
  regionOf,
  type RgbImage,
  type ShrunkImage,
} from "../image/mod.ts";
import {
  CHIP_PADDING,
  chipFootprint,
  chipTransform,
  extractChips,
  shiftSimilarity,
} from "../face/align.ts";
import {
  DEFAULT_DETECT_OPTIONS,
  type DetectOptions,
  type FaceBox,
  type FaceCrop,
  FaceDetector,
  photoSource,
} from "../face/detect.ts";
import type { Box, Point, Similarity } from "../face/geometry.ts";
import { CHIP_SIZE } from "./backbone.ts";
import { embed } from "./embed.ts";
import { BACKBONE_ID, loadBackbone } from "./weights.ts";
import { SsdPool } from "../face/ssd_pool.ts";
import { readLayersModel } from "../backend/layers_io.ts";

/** One face of a photo with its embedding. */
export interface FaceRecord {
  /** The face's box in the upright photo's pixels. */
  box: Box;
  /** Detector confidence, 0..1. */
  score: number;
  /** 1: found on the whole photo; 2: by a second look; 3: a small image taken as one face crop. */
  pass: 1 | 2 | 3;
  /** The 68 landmarks the chip was aligned with. */
  landmarks: Point[];
  /** The backbone's descriptor (128 numbers). */
  embedding: number[];
}

/** Everything facefit needs to know about one photo. */
export interface PhotoRecord {
  /** Width of the upright photo in pixels. */
  width: number;
  /** Height of the upright photo in pixels. */
  height: number;
  /** The faces found, most confident first. */
  faces: FaceRecord[];
}

/** Load-time configuration of a {@linkcode FaceAnalyzer}. */
export interface AnalyzerConfig {
  /** Cache folder, or false for no cache. Default: {@linkcode defaultCacheDir}. */
  cacheDir?: string | false;
  /** The backbone to embed with; default: the pretrained one. */
  backbone?: LayersModel;
  /** Identifies the backbone's weights in cache keys; required with a custom backbone. */
  backboneId?: string;
  /** Detection settings, fixed for the analyzer's life because they are part of the cache key. */
  detect?: DetectOptions;
  /** Decoding limits. */
  decode?: DecodeOptions;
  /** A folder holding the backbone to embed with (model.json + weights), instead of `backbone`. */
  backboneDir?: string;
  /**
   * Threads that detect faces (default 1): this thread and `workers - 1` worker threads that
   * hold the detector only and take detection passes while this thread does the rest. Only
   * for the CPU backends.
   */
  workers?: number;
}

/** Alignment method id, part of the cache key: change it when chips change. */
export const ALIGNMENT_ID = `dlib-mean-face-51pt-p${CHIP_PADDING}-s${CHIP_SIZE}-v4`;

/** Face crops for the landmark network (input 112 px) are shrunk to about this side. */
const LANDMARK_CROP_SIDE = 224;

/**
 * A large photo is decoded at reduced size for detection, its longer side kept at least this
 * long: the first pass sees 512 px, and a 3x3 tile of the second look 0.4 of the side.
 */
export const DETECT_DECODE_SIDE = 1024;

/** Receives how long a stage of the pipeline took, in milliseconds. */
export type StageTimer = (
  stage: "detect" | "landmarks" | "align" | "embed" | string,
  ms: number,
) => void;

/** Bytes of one chip: RGB, 8 bits per channel. */
export const CHIP_BYTES = CHIP_SIZE * CHIP_SIZE * 3;

/** How many faces go through the landmark network at once. */
const LANDMARK_BATCH = 4;

/**
 * Detection passes a worker may hold at once (one running, the rest queued). Measured on 300
 * photos with one worker: 2 gave 43.8 s, 4 gave 39.5 s, 6 gave 35.9 s, 8 gave 35.9 s.
 */
const WORKER_DEPTH = 6;

/** How many faces are embedded in one batch. */
const EMBED_BATCH = 4;

type FacesEntry = {
  width: number;
  height: number;
  faces: Omit<FaceRecord, "embedding">[];
  /** How a small image was read (see `SMALL_IMAGE_METHOD`); absent for photos. */
  small?: string;
};

/**
 * How small images (see `DetectOptions.wholeImageBelow`) are read: a landmark check for a tight
 * crop, at most one SSD pass. Their cache entries carry it, so that an entry written before is
 * analysed again, while photos keep theirs.
 */
const SMALL_IMAGE_METHOD = "tight-crop-v4";

interface Caches {
  faces: JsonCache<FacesEntry>;
  chips: FileCache;
  embeddings: JsonCache<number[][]>;
}

/**
 * Runs detection, alignment and embedding on photos, with content-addressed caches.
 *
 * @example Analyze a photo
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend } from "../backend/backend.ts";
 * import { FaceAnalyzer } from "./photo.ts";
 *
 * await initBackend("wasm");
 * // No cache, and no finer second look when the first finds nobody: quick, for an example.
 * const analyzer = await FaceAnalyzer.load({ cacheDir: false, detect: { fallback: false } });
 * const path = await Deno.makeTempFile({ suffix: ".pgm" });
 * await Deno.writeTextFile(path, `P2\n300 300\n255\n${"128 ".repeat(300 * 300)}\n`);
 * const record = await analyzer.analyzeFile(path); // a flat grey picture: nobody in it
 * assert.deepEqual([record.width, record.height, record.faces.length], [300, 300, 0]);
 * analyzer.dispose();
 * await Deno.remove(path);
 * ```
 */
export class FaceAnalyzer {
  /** The face detector and landmark network. */
  readonly detector: FaceDetector;
  /** The embedding network (the pretrained ResNet, or a fine-tuned copy). */
  readonly backbone: LayersModel;
  /** Identifies the backbone weights; a model trained on other weights is refused. */
  readonly backboneId: string;
  readonly #caches: Caches | undefined;
  readonly #config: AnalyzerConfig;
  #workersStart: Promise<SsdPool | undefined> | undefined;
  /**
   * Since load: photos answered wholly from the cache, photos analyzed afresh (failures count in
   * neither), and detection passes run on worker threads.
   */
  readonly stats = { hits: 0, misses: 0, workerPasses: 0 };

  private constructor(detector: FaceDetector, backbone: tf.LayersModel, config: AnalyzerConfig) {
    this.detector = detector;
    this.backbone = backbone;
    this.#config = config;
    this.backboneId = config.backboneId ?? BACKBONE_ID;
    const root = config.cacheDir === undefined ? defaultCacheDir() : config.cacheDir;
    if (root !== false) {
      const facesVersion = `ssd_mobilenetv1+landmark68|detect-v3|${ALIGNMENT_ID}|${
        JSON.stringify(config.detect ?? {})
      }`;
      this.#caches = {
        faces: new JsonCache(root, `faces-${shortHash(facesVersion)}`),
        chips: new FileCache(root, `chips-${shortHash(facesVersion)}`),
        embeddings: new JsonCache(
          root,
          `embeddings-${shortHash(`${facesVersion}|${this.backboneId}`)}`,
        ),
      };
    }
  }

  /** Load the pretrained detector and backbone. */
  static async load(config: AnalyzerConfig = {}): Promise<FaceAnalyzer> {
    if ((config.backbone || config.backboneDir) && !config.backboneId) {
      throw new TypeError(
        "A custom backbone needs a backboneId, so that cached embeddings stay apart",
      );
    }
    // One after the other: loading both at once interleaves their weights in the WebAssembly
    // heap, which then fragments and grows some 30 MB larger.
    const backbone = config.backbone ??
      await (config.backboneDir
        ? readLayersModel(config.backboneDir, `Backbone "${config.backboneDir}"`)
        : loadBackbone());
    const detector = await FaceDetector.load();
    const analyzer = new FaceAnalyzer(detector, backbone, config);
    return analyzer;
  }

  /** The worker threads this analyzer may use besides its own (see `AnalyzerConfig.workers`). */
  get #extraWorkers(): number {
    const backend = tf.getBackend();
    const cpu = backend === "wasm" || backend === "cpu";
    return cpu ? Math.max(0, (this.#config.workers ?? 1) - 1) : 0;
  }

  /**
   * How many photos to hand {@linkcode analyzeFile} at once: one for this thread and
   * `WORKER_DEPTH` per worker. Detection is most of the work; this thread runs a pass itself only
   * when every worker holds `WORKER_DEPTH` of them, which on two cores splits the passes about as
   * the work is split (the workers do most, this thread decodes, aligns and embeds every photo).
   */
  get concurrency(): number {
    return WORKER_DEPTH * this.#extraWorkers + 1;
  }

  /**
   * Start the SSD workers, once, at the first photo that is not in the cache (a warm run never
   * pays for them), without waiting: detections run here until they are ready. A pool that
   * fails to start leaves this thread to do all the work.
   */
  #startWorkers(): void {
    if (this.#workersStart || this.#extraWorkers === 0) return;
    const stats = this.stats;
    const start: Promise<SsdPool | undefined> = SsdPool.start(
      this.#extraWorkers,
      tf.getBackend() as "wasm" | "cpu",
      WORKER_DEPTH,
      () => stats.workerPasses++,
    ).then((pool) => {
      if (this.#workersStart === start) this.detector.runElsewhere(pool);
      else pool.close(); // released, or disposed, while starting
      return pool;
    }, () => undefined);
    this.#workersStart = start;
  }

  /**
   * Start the worker threads now, rather than at the first photo not in the cache, and wait
   * until they are ready.
   *
   * @returns how many run (0 on a GPU backend, with `workers` 1, or when they cannot start).
   */
  async startWorkers(): Promise<number> {
    this.#startWorkers();
    return (await this.#workersStart)?.size ?? 0;
  }

  /**
   * Stop the worker threads now, giving back their memory (each holds its own SSD and
   * WebAssembly heap); they start again at the next photo that is not in the cache. Call it when
   * the photos are analyzed and memory is wanted for something else, such as training.
   */
  async releaseWorkers(): Promise<void> {
    const start = this.#workersStart;
    this.#workersStart = undefined;
    this.detector.runElsewhere(undefined);
    (await start)?.close();
  }

  /** Free the networks. */
  dispose(): void {
    void this.releaseWorkers();
    this.detector.dispose();
    this.backbone.dispose();
  }

  /**
   * Analyze a photo file, from the caches when its bytes were seen before.
   *
   * @param read the file's bytes and their SHA-256 (hex), when the caller has them already.
   * @throws Error naming the file when it cannot be read or decoded.
   */
  async analyzeFile(
    path: string,
    read?: { bytes: Uint8Array; sha256: string },
  ): Promise<PhotoRecord> {
    return await this.#analyzeRead(path, await this.#read(path, read));
  }

  /** A file's bytes and their cache key (empty without a cache). */
  async #read(
    path: string,
    read?: { bytes: Uint8Array; sha256: string },
  ): Promise<{ bytes: Uint8Array; key: string }> {
    if (read) return { bytes: read.bytes, key: this.#caches ? read.sha256 : "" };
    const bytes = await readImageBytes(path);
    return { bytes, key: this.#caches ? await sha256Hex(bytes) : "" };
  }

  async #analyzeRead(
    path: string,
    { bytes, key }: { bytes: Uint8Array; key: string },
  ): Promise<PhotoRecord> {
    let [faces, embeddings] = this.#caches
      ? await Promise.all([this.#caches.faces.get(key), this.#caches.embeddings.get(key)])
      : [undefined, undefined];
    if (faces && this.#isSmall(faces) && faces.small !== SMALL_IMAGE_METHOD) {
      faces = embeddings = undefined; // read the old way: read it again
    }
    if (faces && embeddings && embeddings.length === faces.faces.length) {
      this.stats.hits++;
      return withEmbeddings(faces, embeddings);
    }
    if (faces) {
      // Known faces, new backbone: embed the cached chips.
      const chips = await this.#chipsFor(key, bytes, path, faces);
      const fresh = await this.embedChips(chips);
      await this.#caches?.embeddings.set(key, fresh);
      this.stats.misses++;
      return withEmbeddings(faces, fresh);
    }
    this.#startWorkers();
    const record = await this.analyzeBytes(bytes, {
      path,
      onChips: async (chips) => {
        await this.#caches?.chips.setBytes(key, chips);
      },
    });
    if (this.#caches) {
      const { faces: withEmb, ...size } = record;
      await this.#caches.faces.set(key, {
        ...size,
        faces: withEmb.map(({ embedding: _, ...f }) => f),
        ...(this.#isSmall(size) ? { small: SMALL_IMAGE_METHOD } : {}),
      });
      await this.#caches.embeddings.set(key, withEmb.map((f) => f.embedding));
    }
    this.stats.misses++;
    return record;
  }

  /** Whether the detector treats an image of this size as small (a possible face crop). */
  #isSmall(size: { width: number; height: number }): boolean {
    const below = this.#config.detect?.wholeImageBelow ?? DEFAULT_DETECT_OPTIONS.wholeImageBelow;
    return Math.max(size.width, size.height) <= below;
  }

  /**
   * The aligned chips of every face of a photo file, `CHIP_BYTES` each, in face order: from the
   * cache, else cut again from the photo at the cached landmarks.
   */
  async chipsOf(path: string): Promise<{ record: PhotoRecord; chips: Uint8Array }> {
    const read = await this.#read(path);
    const record = await this.#analyzeRead(path, read);
    return { record, chips: await this.#chipsFor(read.key, read.bytes, path, record) };
  }

  async #chipsFor(
    key: string,
    bytes: Uint8Array,
    path: string,
    faces: { faces: { landmarks: Point[] }[] },
  ): Promise<Uint8Array> {
    const cached = await this.#caches?.chips.getBytes(key);
    if (cached && cached.length === faces.faces.length * CHIP_BYTES) return cached;
    const landmarks = faces.faces.map((f) => f.landmarks);
    const photo = await decodeShrunk(bytes, {
      ...this.#config.decode,
      path,
      maxShrink: Math.min(8, ...landmarks.map((l) => chipFactor(chipTransform(l)))),
    });
    const chips = await this.#chips(photo, landmarks);
    await this.#caches?.chips.setBytes(key, chips);
    return chips;
  }

  /**
   * Analyze a decoded image (no cache). The detector sees views of at most about 1024 px a side;
   * landmarks and chips come from crops around each face, shrunk to what the networks need, so a
   * 12-megapixel photo never becomes a 12-megapixel tensor.
   *
   * @param onChips receives the aligned chips of all faces, `CHIP_BYTES` each.
   */
  async analyzeImage(
    image: RgbImage,
    onChips?: (chips: Uint8Array) => Promise<void> | void,
    onStage?: StageTimer,
  ): Promise<PhotoRecord> {
    return await this.#analyzePhoto(fullSize(image), undefined, onChips, onStage);
  }

  /**
   * Analyze an image file's bytes (no cache), decoding no more pixels than the stages need: a
   * large JPEG is decoded at 1/2, 1/4 or 1/8 size for detection (its longer side kept at
   * {@linkcode DETECT_DECODE_SIDE} or more), and again finer only when a face is too small for
   * the landmark network or the chip at that size.
   *
   * @throws ImageDecodeError naming `options.path` when the bytes cannot be decoded.
   */
  async analyzeBytes(
    bytes: Uint8Array,
    options: {
      path?: string;
      onChips?: (chips: Uint8Array) => Promise<void> | void;
      onStage?: StageTimer;
    } = {},
  ): Promise<PhotoRecord> {
    const started = performance.now();
    const decode = { ...this.#config.decode, path: options.path };
    const photo = await decodeShrunk(bytes, { ...decode, atLeast: DETECT_DECODE_SIDE });
    options.onStage?.("decode", performance.now() - started);
    const finer = (maxShrink: number) => decodeShrunk(bytes, { ...decode, maxShrink });
    return await this.#analyzePhoto(photo, finer, options.onChips, options.onStage);
  }

  async #analyzePhoto(
    first: ShrunkImage,
    finer: ((maxShrink: number) => Promise<ShrunkImage>) | undefined,
    onChips?: (chips: Uint8Array) => Promise<void> | void,
    onStage?: StageTimer,
  ): Promise<PhotoRecord> {
    let clock = performance.now();
    const lap = (stage: string) => {
      const now = performance.now();
      onStage?.(stage, now - clock);
      clock = now;
    };
    let photo = first;
    // Decode again, finer, when a face needs more pixels than this decode has.
    const atMost = async (shrink: number) => {
      if (shrink >= photo.shrink || !finer) return;
      photo = await finer(shrink);
      lap("decode");
    };
    const found = await this.detector.locate(photoSource(photo), this.#config.detect);
    lap("detect");
    await atMost(
      Math.min(8, ...found.filter((f) => !f.landmarks).map((f) => landmarkFactor(f.box))),
    );
    const landmarks = await this.#landmarks(photo, found);
    lap("landmarks");
    await atMost(Math.min(8, ...landmarks.map((l) => chipFactor(chipTransform(l)))));
    const chips = await this.#chips(photo, landmarks);
    lap("align");
    await onChips?.(chips);
    const embeddings = await this.embedChips(chips);
    lap("embed");
    return {
      width: photo.width,
      height: photo.height,
      faces: found.map((f, i) => ({
        box: roundBox(f.box),
        score: round(f.score, 4),
        pass: f.pass,
        landmarks: landmarks[i].map((p) => ({ x: round(p.x, 2), y: round(p.y, 2) })),
        embedding: embeddings[i],
      })),
    };
  }

  /**
   * Landmarks of each face: those the detector found already, else from a crop of the face
   * shrunk to about the landmark network's input size.
   */
  async #landmarks(photo: ShrunkImage, faces: FaceBox[]): Promise<Point[][]> {
    const missing = faces.filter((f) => !f.landmarks);
    const found = await this.#landmarksOf(photo, missing.map((f) => f.box));
    return faces.map((f) => f.landmarks ?? found.shift()!);
  }

  /** Landmarks from crops of each face, shrunk to about the landmark network's input size. */
  async #landmarksOf(photo: ShrunkImage, boxes: Box[]): Promise<Point[][]> {
    const crops: FaceCrop[] = boxes.map((box) => {
      const region = regionOf(photo, box, landmarkFactor(box));
      return {
        tensor: tf.tensor3d(region.data, [region.height, region.width, 3], "int32"),
        x: region.x,
        y: region.y,
        scale: region.scale,
      };
    });
    try {
      // A few faces at a time: face-api's landmark network keeps every activation of a batch
      // until it ends, and a crowd photo would otherwise grow the WASM heap for good.
      const out: Point[][] = [];
      for (let i = 0; i < crops.length; i += LANDMARK_BATCH) {
        out.push(...await this.detector.landmarks(crops.slice(i, i + LANDMARK_BATCH)));
      }
      return out;
    } finally {
      crops.forEach((c) => c.tensor.dispose());
    }
  }

  /** Chips cut from crops around each face. */
  async #chips(photo: ShrunkImage, landmarks: Point[][]): Promise<Uint8Array> {
    const out = new Uint8Array(landmarks.length * CHIP_BYTES);
    for (let i = 0; i < landmarks.length; i++) {
      const t = chipTransform(landmarks[i]);
      // A face much larger than the chip is box-filtered down in JavaScript first (the same
      // anti-aliasing extractChips would do), so that only a small region becomes a tensor.
      const small = regionOf(photo, chipFootprint(t), chipFactor(t));
      const f = small.scale;
      // Pixel j of the small region covers photo pixels [x + j f, x + (j + 1) f): its centre.
      const local = shiftSimilarity(t, small.x, small.y);
      const tSmall = {
        a: local.a / f,
        b: local.b / f,
        tx: (local.tx - (f - 1) / 2) / f,
        ty: (local.ty - (f - 1) / 2) / f,
      };
      const tensor = tf.tensor3d(small.data, [small.height, small.width, 3], "int32");
      try {
        out.set(await chipsToBytes(extractChips(tensor, [tSmall])), i * CHIP_BYTES);
      } finally {
        tensor.dispose();
      }
    }
    return out;
  }

  /** Embed chips (`CHIP_BYTES` each) with this analyzer's backbone, in batches. */
  async embedChips(chips: Uint8Array): Promise<number[][]> {
    const n = chips.length / CHIP_BYTES;
    const out: number[][] = [];
    for (let start = 0; start < n; start += EMBED_BATCH) {
      const count = Math.min(EMBED_BATCH, n - start);
      const slice = chips.subarray(start * CHIP_BYTES, (start + count) * CHIP_BYTES);
      const descriptors = tf.tidy(() =>
        embed(
          this.backbone,
          tf.tensor4d(slice, [count, CHIP_SIZE, CHIP_SIZE, 3], "int32").toFloat(),
        )
      );
      const data = await descriptors.data();
      descriptors.dispose();
      const d = data.length / count;
      for (let i = 0; i < count; i++) out.push(Array.from(data.subarray(i * d, (i + 1) * d)));
    }
    return out;
  }
}

/** Photo pixels per landmark-network pixel that a face box needs no more than. */
function landmarkFactor(box: Box): number {
  return Math.max(1, Math.floor(Math.max(box.width, box.height) / LANDMARK_CROP_SIDE));
}

/** Photo pixels per chip pixel under a chip transform (at least 1). */
function chipFactor(t: Similarity): number {
  return Math.max(1, Math.floor(Math.hypot(t.a, t.b)));
}

/** Round float chips to bytes (the chips are stored and embedded from 8-bit values). */
async function chipsToBytes(chips: tf.Tensor4D): Promise<Uint8Array> {
  const data = await chips.data();
  chips.dispose();
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(data[i])));
  return out;
}

function withEmbeddings(faces: FacesEntry, embeddings: number[][]): PhotoRecord {
  return { ...faces, faces: faces.faces.map((f, i) => ({ ...f, embedding: embeddings[i] })) };
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
  return h.toString(16).padStart(8, "0");
}
