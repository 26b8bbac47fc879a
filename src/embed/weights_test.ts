import assert from "node:assert/strict";
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { initBackend } from "../backend/backend.ts";
import { buildBackbone, CONV_LAYERS } from "./backbone.ts";
import { faceApiModelDir, readFaceApiWeights, setFaceApiWeights } from "./weights.ts";

await initBackend("wasm");

Deno.test("face-api's weights map one to one onto the backbone's convolutions and fc", async () => {
  const weights = await readFaceApiWeights();
  const model = buildBackbone();
  try {
    const sizes = Object.entries(weights).map(([name, t]) => [name, t.size] as const);
    const total = sizes.reduce((sum, [, n]) => sum + n, 0);
    const scale = sizes.filter(([name]) => name.includes("/scale/")).reduce(
      (sum, [, n]) => sum + n,
      0,
    );
    assert.equal(total, 5_614_592);
    assert.equal(scale, 7_104);
    assert.equal(Object.keys(weights).length, CONV_LAYERS.length * 4 + 1);
    // Everything but the 6 values of input_norm comes from the manifest, minus the folded scales.
    assert.equal(model.countParams(), total - scale + 6);
    setFaceApiWeights(model, weights);
  } finally {
    tf.dispose(weights);
    model.dispose();
  }
});

Deno.test("setFaceApiWeights folds the scale into the kernel and bias", async () => {
  const weights = await readFaceApiWeights();
  const model = buildBackbone();
  try {
    setFaceApiWeights(model, weights);
    const [kernel, bias] = model.getLayer("stage64.conv64_1.conv2").getWeights();
    const p = "conv64_1/conv2";
    const w = weights[`${p}/scale/weights`];
    const expectKernel = tf.tidy(() => tf.mul(weights[`${p}/conv/filters`], w).dataSync());
    const expectBias = tf.tidy(() =>
      tf.add(tf.mul(weights[`${p}/conv/bias`], w), weights[`${p}/scale/biases`]).dataSync()
    );
    assert.deepEqual(kernel.dataSync(), expectKernel);
    assert.deepEqual(bias.dataSync(), expectBias);
  } finally {
    tf.dispose(weights);
    model.dispose();
  }
});

Deno.test("setFaceApiWeights names the weight that is missing or misshapen", () => {
  const model = buildBackbone();
  const wrong = {
    "conv32_down/conv/filters": tf.zeros([3, 3, 3, 32]),
    "conv32_down/conv/bias": tf.zeros([32]),
    "conv32_down/scale/weights": tf.zeros([32]),
    "conv32_down/scale/biases": tf.zeros([32]),
  };
  try {
    assert.throws(
      () => setFaceApiWeights(model, {}),
      /Weight "conv32_down\/conv\/filters" is missing/,
    );
    assert.throws(
      () => setFaceApiWeights(model, wrong),
      /Weight "conv32_down\/conv\/filters" has shape \[3,3,3,32\] but the backbone needs \[7,7,3,32\]/,
    );
  } finally {
    tf.dispose(wrong);
    model.dispose();
  }
});

Deno.test("readFaceApiWeights says which file is missing and what to do", async () => {
  const empty = await Deno.makeTempDir();
  try {
    await assert.rejects(
      readFaceApiWeights(new URL(`file://${empty}/`)),
      (e: Error) =>
        e.message.includes("face_recognition_model-weights_manifest.json") &&
        e.message.includes("file not found") && e.message.includes("deno install"),
    );
  } finally {
    await Deno.remove(empty, { recursive: true });
  }
  assert.ok(faceApiModelDir().href.endsWith("/model/"));
});
