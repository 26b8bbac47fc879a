import assert from "node:assert/strict";
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { initBackend } from "../backend/backend.ts";
import {
  buildBackbone,
  CHIP_SIZE,
  DESCRIPTOR_SIZE,
  FC_LAYER,
  INPUT_NORM_LAYER,
  MEAN_RGB,
  setTrainableStages,
  STAGES,
} from "./backbone.ts";
import { embed } from "./embed.ts";

await initBackend("wasm");

/**
 * face-api's manifest holds 5,614,592 values; folding drops the 7,104 per-channel scale
 * weights/biases (2 per output channel of each of the 29 convolutions) and `input_norm` adds its
 * 3 kernel values and 3 biases. `weights_test.ts` checks these numbers against the manifest.
 */
const MANIFEST_PARAMS = 5_614_592;
const FOLDED_SCALE_PARAMS = 7_104;
const EXPECTED_PARAMS = MANIFEST_PARAMS - FOLDED_SCALE_PARAMS + 6;

function stageOfWeight(name: string): string {
  if (name.startsWith("descriptor.")) return "fc";
  const stage = STAGES.find((s) => name.startsWith(`${s}.`));
  assert.ok(stage, `weight "${name}" belongs to no stage`);
  return stage;
}

Deno.test("buildBackbone maps [2,150,150,3] chips to [2,128] descriptors without leaking", () => {
  const model = buildBackbone();
  try {
    const chips = tf.randomUniform([2, CHIP_SIZE, CHIP_SIZE, 3], 0, 255, "float32", 1);
    const before = tf.memory().numTensors;
    const [shape, finite] = tf.tidy(() => {
      const d = embed(model, chips as tf.Tensor4D);
      return [d.shape, tf.all(tf.isFinite(d)).dataSync()[0] === 1];
    });
    assert.equal(tf.memory().numTensors, before);
    assert.deepEqual(shape, [2, DESCRIPTOR_SIZE]);
    assert.ok(finite);
    chips.dispose();
  } finally {
    model.dispose();
  }
});

Deno.test("buildBackbone has face-api's parameters, scales folded, plus the input normalisation", () => {
  const model = buildBackbone();
  try {
    assert.equal(model.countParams(), EXPECTED_PARAMS);
    assert.deepEqual(model.inputs[0].shape, [null, CHIP_SIZE, CHIP_SIZE, 3]);
    const norm = model.getLayer(INPUT_NORM_LAYER);
    assert.equal(norm.trainable, false);
    const [kernel, bias] = norm.getWeights();
    assert.deepEqual(Array.from(kernel.dataSync()), [1, 1, 1].map(() => Math.fround(1 / 255)));
    assert.deepEqual(Array.from(bias.dataSync()), MEAN_RGB.map((m) => Math.fround(-m / 255)));
  } finally {
    model.dispose();
  }
});

Deno.test("setTrainableStages unfreezes the last n stages and the fc", () => {
  const model = buildBackbone();
  try {
    const trainableStages = () => new Set(model.trainableWeights.map((w) => stageOfWeight(w.name)));
    assert.deepEqual(trainableStages(), new Set([...STAGES, "fc"]));

    setTrainableStages(model, 0);
    assert.equal(model.trainableWeights.length, 0);

    setTrainableStages(model, 1);
    assert.deepEqual(trainableStages(), new Set([STAGES.at(-1), "fc"]));
    assert.ok(model.trainableWeights.some((w) => w.name.startsWith(`${FC_LAYER}/`)));
    // stage256 has 4 blocks of 2 convolutions (kernel + bias each), the fc one kernel.
    assert.equal(model.trainableWeights.length, 4 * 2 * 2 + 1);

    setTrainableStages(model, 2);
    assert.deepEqual(trainableStages(), new Set(["stage128", "stage256", "fc"]));

    setTrainableStages(model, STAGES.length);
    assert.deepEqual(trainableStages(), new Set([...STAGES, "fc"]));
    assert.ok(!model.trainableWeights.some((w) => w.name.startsWith(INPUT_NORM_LAYER)));

    for (const bad of [-1, 1.5, STAGES.length + 1, NaN]) {
      assert.throws(() => setTrainableStages(model, bad), RangeError);
    }
  } finally {
    model.dispose();
  }
});

Deno.test("setTrainableStages leaves a head built on the backbone alone", () => {
  const backbone = buildBackbone();
  const head = tf.layers.dense({ name: "head", units: 3, trainable: false });
  const model = tf.model({
    inputs: backbone.inputs,
    outputs: head.apply(backbone.outputs[0]) as tf.SymbolicTensor,
  });
  try {
    setTrainableStages(model, 1);
    assert.equal(head.trainable, false);
    head.trainable = true;
    setTrainableStages(model, 0);
    assert.deepEqual(
      model.trainableWeights.map((w) => w.name),
      head.trainableWeights.map((w) => w.name),
    );
    assert.throws(
      () =>
        setTrainableStages(
          tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] }),
          1,
        ),
      /no face descriptor backbone layers/,
    );
  } finally {
    model.dispose();
  }
});

Deno.test("the backbone saves and reloads with plain tf.loadLayersModel and no custom classes", async () => {
  const model = buildBackbone();
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler((artifacts) => {
    saved = artifacts;
    return Promise.resolve({
      modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" },
    });
  }));
  assert.ok(saved);
  const reloaded = await tf.loadLayersModel(tf.io.fromMemory(saved));
  try {
    const [a, b] = tf.tidy(() => {
      const chips = tf.randomUniform(
        [1, CHIP_SIZE, CHIP_SIZE, 3],
        0,
        255,
        "float32",
        2,
      ) as tf.Tensor4D;
      return [embed(model, chips).dataSync(), embed(reloaded, chips).dataSync()];
    });
    assert.deepEqual(Array.from(b), Array.from(a));
    assert.equal(reloaded.getLayer(INPUT_NORM_LAYER).trainable, false);
  } finally {
    model.dispose();
    reloaded.dispose();
  }
});

Deno.test("embed rejects chips that are not [n,150,150,3]", () => {
  const model = buildBackbone();
  try {
    const wrong = tf.zeros([1, 112, 112, 3]) as tf.Tensor4D;
    assert.throws(
      () => embed(model, wrong),
      (e: Error) => e instanceof RangeError && /"\[1,112,112,3\]"/.test(e.message),
    );
    wrong.dispose();
    const none = embed(model, tf.zeros([0, CHIP_SIZE, CHIP_SIZE, 3]) as tf.Tensor4D);
    assert.deepEqual(none.shape, [0, DESCRIPTOR_SIZE]);
    none.dispose();
  } finally {
    model.dispose();
  }
});

Deno.test("after setTrainableStages(model, 1), fit changes stage256 and the fc only", async () => {
  // tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel, so convolutions train on cpu.
  await tf.setBackend("cpu");
  const model = buildBackbone();
  try {
    setTrainableStages(model, 1);
    model.compile({ optimizer: tf.train.sgd(0.1), loss: "meanSquaredError" });
    const watched = ["stem.conv32_down", "stage128.conv128_2.conv2", "stage256.conv256_down.conv1"];
    const before = watched.map((name) => model.getLayer(name).getWeights()[0].dataSync().slice());
    const fcBefore = model.getLayer(FC_LAYER).getWeights()[0].dataSync().slice();
    const x = tf.randomUniform([1, CHIP_SIZE, CHIP_SIZE, 3], 0, 255, "float32", 3);
    const y = tf.randomNormal([1, DESCRIPTOR_SIZE], 0, 1, "float32", 4);
    await model.fit(x, y, { epochs: 1, batchSize: 1, verbose: 0 });
    tf.dispose([x, y]);
    const after = watched.map((name) => model.getLayer(name).getWeights()[0].dataSync());
    assert.deepEqual(after[0], before[0]);
    assert.deepEqual(after[1], before[1]);
    assert.notDeepEqual(after[2], before[2]);
    assert.notDeepEqual(model.getLayer(FC_LAYER).getWeights()[0].dataSync(), fcBefore);
  } finally {
    model.optimizer?.dispose();
    model.dispose();
    await initBackend("wasm");
  }
});
