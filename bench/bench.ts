/**
 * facefit's pipeline against @vladmandic/face-api's own, on the same photos, backend and process:
 * per-stage ms/img (median, p90), images/s, training step images/s, peak RSS.
 *
 *   deno task bench [--data DIR] [--limit N] [--backend wasm] [--json]
 *
 * Both pipelines start from the file's bytes. face-api's takes the full decode (its API wants the
 * whole image); facefit's decodes what it needs (a large JPEG at reduced size, finer only where
 * a face needs it), and its decode time is part of its own figure.
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import * as faceapi from "npm:@vladmandic/face-api@1.7.15/dist/face-api.node-wasm.js";
import { parseArgs } from "node:util";
import { initBackend } from "../src/backend/backend.ts";
import type { BackendRequest } from "../src/backend/backend.ts";
import { scanDataset } from "../src/dataset/scan.ts";
import { seededRandom } from "../src/dataset/random.ts";
import { FaceAnalyzer } from "../src/embed/photo.ts";
import { CHIP_BYTES } from "../src/embed/photo.ts";
import { loadWeightMap } from "../src/face/weights.ts";
import { buildHead } from "../src/head/head.ts";
import { decodeImage, type RgbImage } from "../src/image/mod.ts";
import { peakRssMiB } from "../src/cli/context.ts";
import { fineTune } from "../src/train/fine_tune.ts";
import { fitClassifier } from "../src/train/fit.ts";
import { analyzeFiles } from "../src/train/collect.ts";
import { buildBackbone } from "../src/embed/backbone.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    data: {
      type: "string",
      default: new URL("../../shared/datasets/fcbarcelona/Test", import.meta.url).pathname,
    },
    limit: { type: "string", default: "0" },
    backend: { type: "string", default: "auto" },
    json: { type: "boolean", default: false },
    workers: { type: "string", default: "0" },
  },
});

const backend = await initBackend(values.backend as BackendRequest);
const files = (await scanDataset(values.data!)).files;
const limit = Number(values.limit) || files.length;
const photos = files.slice(0, limit);

const analyzer = await FaceAnalyzer.load({ cacheDir: false });
const head = buildHead({ inputSize: 128, classes: 8, seed: 1 });
// deno-lint-ignore no-explicit-any
const asAny = (v: unknown) => v as any;
faceapi.nets.ssdMobilenetv1.loadFromWeightMap(asAny(await loadWeightMap("ssd_mobilenetv1_model")));
faceapi.nets.faceLandmark68Net.loadFromWeightMap(
  asAny(await loadWeightMap("face_landmark_68_model")),
);
faceapi.nets.faceRecognitionNet.loadFromWeightMap(
  asAny(await loadWeightMap("face_recognition_model")),
);

const stages: Record<string, number[]> = {};
const record = (stage: string, ms: number) => (stages[stage] ??= []).push(ms);
let ourFaces = 0, theirFaces = 0;

async function ours(bytes: Uint8Array): Promise<void> {
  const r = await analyzer.analyzeBytes(bytes, { onStage: record });
  const t0 = performance.now();
  if (r.faces.length > 0) {
    const p = tf.tidy(() =>
      head.predict(
        tf.tensor2d(r.faces.flatMap((f) => f.embedding), [r.faces.length, 128]),
      ) as tf.Tensor
    );
    await p.data();
    p.dispose();
  }
  record("head", performance.now() - t0);
  ourFaces += r.faces.length;
}

async function theirs(image: RgbImage): Promise<void> {
  const t = tf.tensor3d(image.data, [image.height, image.width, 3], "int32");
  const res = await faceapi.detectAllFaces(
    asAny(t),
    new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 }),
  )
    .withFaceLandmarks().withFaceDescriptors();
  t.dispose();
  theirFaces += res.length;
}

// Warm both up on the first photo (WASM compilation, weight uploads).
const warm = await Deno.readFile(photos[0].path);
await ours(warm);
await theirs(await decodeImage(warm));
for (const k of Object.keys(stages)) stages[k] = [];
ourFaces = theirFaces = 0;

const whole: number[] = [], peer: number[] = [];
for (const photo of photos) {
  const bytes = await Deno.readFile(photo.path);
  const t1 = performance.now();
  await ours(bytes);
  whole.push(performance.now() - t1);
  const t2 = performance.now();
  const image = await decodeImage(bytes, { path: photo.path });
  record("full decode", performance.now() - t2);
  await theirs(image);
  peer.push(performance.now() - t2);
}

// The same pipeline with one thread per core, as train/evaluate run it (cache off): this thread
// and SSD workers.
const workers = Number(values.workers) || Math.min(navigator.hardwareConcurrency ?? 1, 4);
const pooled = await FaceAnalyzer.load({ cacheDir: false, workers });
// Warm up as the single-thread pipelines were: start the workers (loading the SSD, compiling
// WASM) and run the first photos before the clock starts.
await pooled.startWorkers();
await analyzeFiles(pooled, photos.slice(0, pooled.concurrency));
const tp = performance.now();
const { analyzed } = await analyzeFiles(pooled, photos);
for (const a of analyzed) {
  if (a.record.faces.length === 0) continue;
  const p = tf.tidy(() =>
    head.predict(
      tf.tensor2d(a.record.faces.flatMap((f) => f.embedding), [a.record.faces.length, 128]),
    ) as tf.Tensor
  );
  await p.data();
  p.dispose();
}
const pooledSeconds = (performance.now() - tp) / 1000;
pooled.dispose();

// Training steps: the head on embeddings, and one fine-tuning epoch of one stage on random chips.
const random = seededRandom(1);
const n = 256;
const x = Array.from({ length: n }, () => Float32Array.from({ length: 128 }, () => random() - 0.5));
const y = Array.from({ length: n }, (_, i) => i % 8);
let t = performance.now();
const headFit = await fitClassifier(buildHead({ inputSize: 128, classes: 8 }), {
  train: { x, y },
  val: { x: [], y: [] },
  classes: 8,
}, {
  epochs: 5,
  patience: 100,
});
const headStepImagesPerSecond = (n * headFit.epochsRun) / ((performance.now() - t) / 1000);
const chipsN = 48;
const chips = Uint8Array.from({ length: chipsN * CHIP_BYTES }, () => Math.floor(random() * 256));
const ftBackbone = buildBackbone();
t = performance.now();
const ft = await fineTune(ftBackbone, buildHead({ inputSize: 128, classes: 8 }), {
  train: { chips, y: Array.from({ length: chipsN }, (_, i) => i % 8) },
  val: { chips: new Uint8Array(0), y: [] },
  classes: 8,
}, { stages: 1, epochs: 2, patience: 100, augment: "light" });
const fineTuneImagesPerSecond = (chipsN * ft.epochsRun) / ((performance.now() - t) / 1000);

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : 0;
};
const median = (xs: number[]) => q(xs, 0.5);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const result = {
  backend,
  photos: photos.length,
  faces: { facefit: ourFaces, faceApi: theirFaces },
  stages: Object.fromEntries(
    Object.entries(stages).map((
      [k, v],
    ) => [k, { medianMs: median(v), p90Ms: q(v, 0.9), meanMs: sum(v) / v.length }]),
  ),
  pipeline: {
    facefit: {
      medianMs: median(whole),
      p90Ms: q(whole, 0.9),
      imagesPerSecond: whole.length / (sum(whole) / 1000),
    },
    faceApi: {
      medianMs: median(peer),
      p90Ms: q(peer, 0.9),
      imagesPerSecond: peer.length / (sum(peer) / 1000),
    },
  },
  parallel: { workers, imagesPerSecond: photos.length / pooledSeconds },
  speedup: sum(peer) / sum(whole),
  speedupParallel: (photos.length / pooledSeconds) / (peer.length / (sum(peer) / 1000)),
  training: {
    headImagesPerSecond: headStepImagesPerSecond,
    fineTune1StageImagesPerSecond: fineTuneImagesPerSecond,
  },
  peakRssMiB: peakRssMiB(),
};

if (values.json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  const f = (v: number) => v.toFixed(1).padStart(8);
  console.log(
    `backend ${backend.name} on ${backend.device}; ${photos.length} photos from ${values.data}`,
  );
  console.log(`faces found: facefit ${ourFaces}, face-api ${theirFaces}\n`);
  console.log("stage        median ms    p90 ms   mean ms");
  for (const [k, v] of Object.entries(result.stages)) {
    console.log(`${k.padEnd(10)} ${f(v.medianMs)}  ${f(v.p90Ms)}  ${f(v.meanMs)}`);
  }
  console.log("\npipeline (decode to names)   median ms   p90 ms   images/s");
  for (const [k, v] of Object.entries(result.pipeline)) {
    console.log(`${k.padEnd(28)} ${f(v.medianMs)} ${f(v.p90Ms)} ${f(v.imagesPerSecond)}`);
  }
  console.log(
    `facefit, ${workers} threads (this one + ${workers - 1} SSD worker${workers === 2 ? "" : "s"})`
      .padEnd(44) +
      f(result.parallel.imagesPerSecond),
  );
  console.log(
    `\nfacefit is ${result.speedup.toFixed(2)}x face-api's images/s on one thread, ` +
      `${result.speedupParallel.toFixed(2)}x with ${workers} threads`,
  );
  console.log(
    `training: head ${
      headStepImagesPerSecond.toFixed(0)
    } images/s, fine-tune (1 stage, light augmentation) ${
      fineTuneImagesPerSecond.toFixed(1)
    } images/s`,
  );
  console.log(`peak RSS ${result.peakRssMiB} MiB`);
}
