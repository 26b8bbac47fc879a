/**
 * Run many predictions or a long head fit in a process of its own and print, as JSON, the tfjs
 * tensor count and the resident memory along the way. tests/memory_test.ts runs it: in a
 * separate process the RSS is this work's alone, not that of tests running beside it.
 *
 * Usage: deno run -A --v8-flags=--expose-gc memory_probe.ts predict PHOTO CACHE_DIR CALLS | fit EPOCHS
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { initBackend } from "../../src/backend/backend.ts";
import { FaceAnalyzer, type PhotoRecord } from "../../src/embed/photo.ts";
import { buildHead } from "../../src/head/head.ts";
import { MODEL_FORMAT, type ModelInfo } from "../../src/head/model_io.ts";
import { Recognizer } from "../../src/head/recognizer.ts";
import { fitClassifier } from "../../src/train/fit.ts";
import { seededRandom } from "../../src/dataset/random.ts";

/** One measurement: after how many calls or epochs (-1: after disposing), tensors, MiB. */
export interface Sample {
  at: number;
  tensors: number;
  rssMiB: number;
  heapMiB: number;
}

function sample(at: number): Sample {
  // With --v8-flags=--expose-gc, collect first, so that the figures are what is really kept.
  (globalThis as { gc?: () => void }).gc?.();
  return {
    at,
    tensors: tf.memory().numTensors,
    rssMiB: Math.round(Deno.memoryUsage().rss / 2 ** 20 * 10) / 10,
    heapMiB: Math.round(Deno.memoryUsage().heapUsed / 2 ** 20 * 10) / 10,
  };
}

function info(labels: string[]): ModelInfo {
  return {
    format: MODEL_FORMAT,
    labels,
    backbone: "probe",
    chip: { size: 150, padding: 0.25, alignment: "probe" },
    embedding: { size: 128, normalize: "l2" },
    threshold: { value: 0.5, rule: "probe" },
    createdAt: new Date(0).toISOString(),
    training: {},
  };
}

/** `calls` x (recognizeFile of a cached photo + recognizeRecord of a 3-face record). */
async function predict(photo: string, cacheDir: string, calls: number): Promise<Sample[]> {
  const analyzer = await FaceAnalyzer.load({ cacheDir });
  const record = await analyzer.analyzeFile(photo); // detection once; every later call hits the cache
  const random = seededRandom(3);
  const faces: PhotoRecord["faces"] = Array.from({ length: 3 }, (_, i) => ({
    box: { x: i * 10, y: 0, width: 10, height: 10 },
    score: 0.9,
    pass: 1,
    landmarks: [],
    embedding: Array.from({ length: 128 }, () => random() - 0.5),
  }));
  const synthetic: PhotoRecord = { width: 100, height: 100, faces };
  const recognizer = new Recognizer(
    analyzer,
    buildHead({ inputSize: 128, classes: 3, seed: 1 }),
    info(["a", "b", "c"]),
  );
  const samples: Sample[] = [];
  for (let i = 0; i <= calls; i++) {
    if (i % 100 === 0) samples.push(sample(i));
    if (i === calls) break;
    const r = await recognizer.recognizeFile(photo);
    if (r.faces.length !== record.faces.length) throw new Error("the cached photo changed");
    await recognizer.recognizeRecord(synthetic);
  }
  recognizer.dispose();
  samples.push(sample(-1));
  return samples;
}

/** A head fit of `epochs` epochs (no early stop) on separable random data. */
async function fit(epochs: number): Promise<Sample[]> {
  const random = seededRandom(5);
  const centres = [0, 1, 2].map(() => Array.from({ length: 128 }, () => random() - 0.5));
  const examples = (n: number) => {
    const x: Float32Array[] = [], y: number[] = [];
    for (let i = 0; i < n; i++) {
      y.push(i % 3);
      x.push(Float32Array.from(centres[i % 3], (c) => c + (random() - 0.5) * 0.3));
    }
    return { x, y };
  };
  const head = buildHead({ inputSize: 128, classes: 3, seed: 1 });
  const samples: Sample[] = [sample(0)];
  await fitClassifier(head, { train: examples(60), val: examples(15), classes: 3 }, {
    epochs,
    patience: epochs,
    onEpochEnd: (epoch) => {
      if ((epoch + 1) % 250 === 0) samples.push(sample(epoch + 1));
    },
  });
  head.dispose();
  samples.push(sample(-1));
  return samples;
}

if (import.meta.main) {
  await initBackend("wasm");
  const [mode, ...rest] = Deno.args;
  const samples = mode === "predict"
    ? await predict(rest[0], rest[1], Number(rest[2]))
    : await fit(Number(rest[0]));
  console.log(JSON.stringify(samples));
}
