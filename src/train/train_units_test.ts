import assert from "node:assert/strict";
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { buildHead } from "../head/head.ts";
import { normalize } from "../head/vectors.ts";
import { seededRandom } from "../dataset/random.ts";
import { EarlyStopping, learningRate, ReduceLROnPlateau } from "./callbacks.ts";
import { chooseFaces } from "./choose_face.ts";
import { type Examples, fitClassifier, inverseFrequency } from "./fit.ts";

await tf.setBackend("cpu");

/** Three well separated clusters in 8-d, with a seeded generator. */
function clusters(n: number, seed: number, noise = 0.15): Examples {
  const random = seededRandom(seed);
  const x: Float32Array[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = i % 3;
    const v = new Float32Array(8).map((_, d) => (d === k ? 1 : 0) + (random() - 0.5) * noise * 2);
    x.push(normalize(v));
    y.push(k);
  }
  return { x, y };
}

Deno.test("fitClassifier learns separable data, repeats with the same seed, and frees its tensors", async () => {
  const before = tf.memory().numTensors;
  const run = async () => {
    const head = buildHead({ inputSize: 8, classes: 3, seed: 1 });
    const r = await fitClassifier(head, {
      train: clusters(60, 1),
      val: clusters(30, 2),
      classes: 3,
    }, {
      epochs: 40,
      batchSize: 8,
      learningRate: 0.05,
      patience: 10,
      seed: 5,
    });
    const weights = head.getWeights().map((w) => Array.from(w.dataSync()));
    head.dispose();
    return { r, weights };
  };
  const a = await run();
  const last = a.r.history[a.r.history.length - 1];
  assert.ok(last.val_acc >= 0.95, `val_acc ${last.val_acc}`);
  assert.ok(a.r.history[0].loss > last.loss, "loss goes down");
  const b = await run();
  assert.deepEqual(a.weights, b.weights, "same seed, same weights");
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("EarlyStopping stops after patience and restores the best epoch's weights", async () => {
  const model = buildHead({ inputSize: 2, classes: 2, dropout: 0, seed: 3 });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: "categoricalCrossentropy" });
  const stopper = new EarlyStopping({ monitor: "val_loss", patience: 2 });
  stopper.setModel(model);
  await stopper.onTrainBegin();
  const snapshot = () => model.getWeights().map((w) => Array.from(w.dataSync()));
  const setAll = (v: number) =>
    model.setWeights(model.getWeights().map((w) => tf.fill(w.shape, v)));
  setAll(1);
  await stopper.onEpochEnd(0, { val_loss: 0.5 });
  const best = snapshot();
  setAll(2);
  await stopper.onEpochEnd(1, { val_loss: 0.6 });
  assert.ok(!model.stopTraining);
  await stopper.onEpochEnd(2, { val_loss: 0.7 });
  assert.equal(model.stopTraining, true);
  await stopper.onTrainEnd();
  assert.deepEqual(snapshot(), best);
  assert.equal(stopper.bestEpoch, 0);
  model.dispose();
});

Deno.test("ReduceLROnPlateau halves the learning rate after a plateau", async () => {
  const model = buildHead({ inputSize: 2, classes: 2, seed: 3 });
  model.compile({ optimizer: tf.train.adam(0.01), loss: "categoricalCrossentropy" });
  const cb = new ReduceLROnPlateau({ patience: 2, factor: 0.5 });
  cb.setModel(model);
  await cb.onTrainBegin();
  for (const [epoch, v] of [[0, 1], [1, 1], [2, 1]]) await cb.onEpochEnd(epoch, { val_loss: v });
  assert.ok(Math.abs(learningRate(model.optimizer) - 0.005) < 1e-12);
  await cb.onEpochEnd(3, { val_loss: 0.5 });
  assert.ok(
    Math.abs(learningRate(model.optimizer) - 0.005) < 1e-12,
    "an improvement resets the wait",
  );
  assert.throws(() => new ReduceLROnPlateau({ factor: 2 }), RangeError);
  model.dispose();
});

Deno.test("inverseFrequency weighs rare classes up", () => {
  assert.deepEqual(inverseFrequency([0, 0, 0, 1], 2), { 0: 4 / 6, 1: 2 });
});

Deno.test("chooseFaces takes the labelled person's face, not the largest, in a group photo", () => {
  const ann = normalize([1, 0.1, 0]), bob = normalize([0, 1, 0.1]), fan = normalize([0.1, 0, 1]);
  const near = (v: Float32Array, d: number) =>
    normalize(Array.from(v, (x, i) => x + (i === 2 ? d : 0)));
  const photos = [
    { label: "Ann", embeddings: [near(ann, 0.05)], areas: [100] },
    { label: "Ann", embeddings: [near(ann, -0.05)], areas: [100] },
    { label: "Bob", embeddings: [bob], areas: [100] },
    // Ann with a bigger fan and Bob beside her: her own face is the small one.
    { label: "Ann", embeddings: [fan, bob, near(ann, 0.02)], areas: [900, 400, 100] },
    // Only a fan: nobody close enough to Ann.
    { label: "Ann", embeddings: [fan], areas: [100] },
  ];
  const { choices, centroids } = chooseFaces(photos);
  assert.deepEqual(choices.map((c) => c.index), [0, 0, 0, 2, -1]);
  assert.deepEqual([...centroids.keys()].sort(), ["Ann", "Bob"]);
});

Deno.test("chooseFaces takes a pinned face (a file name's face marker), even one far from the centroid", () => {
  const ann = normalize([1, 0.1, 0]), bob = normalize([0, 1, 0.1]), fan = normalize([0.1, 0, 1]);
  const photos = [
    { label: "Ann", embeddings: [ann], areas: [100] },
    { label: "Ann", embeddings: [ann], areas: [100] },
    // Without the pin the chooser would take face 1 (nearest Ann); the file says face 0.
    { label: "Ann", embeddings: [fan, ann], areas: [100, 100], pinned: 0 },
    { label: "Bob", embeddings: [ann, bob], areas: [100, 100], pinned: 1 },
  ];
  const { choices } = chooseFaces(photos);
  assert.deepEqual(choices.map((c) => c.index), [0, 0, 0, 1]);
});
