/**
 * Run the same work on one backend and print the numbers as JSON, for the WebGPU/WASM parity
 * test: detection and embedding of real photos, then one head training epoch and one fine-tuning
 * epoch from fixed weights and data.
 *
 *   deno run -A tests/support/parity_run.ts BACKEND PHOTO...
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { type BackendRequest, initBackend } from "../../src/backend/backend.ts";
import { seededRandom } from "../../src/dataset/random.ts";
import { CHIP_BYTES, FaceAnalyzer } from "../../src/embed/photo.ts";
import { buildHead } from "../../src/head/head.ts";
import { decodeImage } from "../../src/image/mod.ts";
import { fineTune } from "../../src/train/fine_tune.ts";
import { fitClassifier } from "../../src/train/fit.ts";

const [backend, ...photos] = Deno.args;
const info = await initBackend(backend as BackendRequest);
const analyzer = await FaceAnalyzer.load({ cacheDir: false });
const records = [];
for (const path of photos) {
  records.push(await analyzer.analyzeImage(await decodeImage(await Deno.readFile(path))));
}

const random = seededRandom(3);
const x = Array.from(
  { length: 32 },
  () => Float32Array.from({ length: 128 }, () => random() - 0.5),
);
const y = x.map((_, i) => i % 4);
const head = buildHead({ inputSize: 128, classes: 4, dropout: 0, seed: 5 });
const headFit = await fitClassifier(head, { train: { x, y }, val: { x: [], y: [] }, classes: 4 }, {
  epochs: 1,
  batchSize: 32,
  balanceClasses: false,
});

const chips = Uint8Array.from({ length: 4 * CHIP_BYTES }, () => Math.floor(random() * 256));
const ftHead = buildHead({ inputSize: 128, classes: 2, dropout: 0, seed: 7 });
const ft = await fineTune(analyzer.backbone, ftHead, {
  train: { chips, y: [0, 1, 0, 1] },
  val: { chips: new Uint8Array(0), y: [] },
  classes: 2,
}, { stages: 1, epochs: 1, batchSize: 4, augment: "none", learningRate: 1e-3 });

console.log(JSON.stringify({
  backend: info.name,
  faces: records.map((r) =>
    r.faces.map((f) => ({ box: f.box, score: f.score, embedding: f.embedding }))
  ),
  headLoss: headFit.history[0].loss,
  fineTuneLoss: ft.history[0].loss,
}));
tf.disposeVariables();
