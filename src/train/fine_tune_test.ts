import assert from "node:assert/strict";
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { initBackend } from "../backend/backend.ts";
import { seededRandom } from "../dataset/random.ts";
import { buildBackbone } from "../embed/backbone.ts";
import { CHIP_BYTES } from "../embed/photo.ts";
import { buildHead } from "../head/head.ts";
import { fineTune } from "./fine_tune.ts";
import { embed } from "../embed/embed.ts";
import { loadModel, MODEL_FORMAT, saveModel } from "../head/model_io.ts";
import { normalize } from "../head/vectors.ts";

await initBackend("wasm");

function randomChips(n: number, seed: number): Uint8Array {
  const random = seededRandom(seed);
  return Uint8Array.from({ length: n * CHIP_BYTES }, () => Math.floor(random() * 256));
}

function snapshot(model: tf.LayersModel, prefix: string): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const w of model.weights) {
    if (w.name.startsWith(prefix)) out.set(w.name, w.read().dataSync() as Float32Array);
  }
  return out;
}

function changed(before: Map<string, Float32Array>, after: Map<string, Float32Array>): boolean[] {
  return [...before.keys()].map((k) => before.get(k)!.some((v, i) => v !== after.get(k)![i]));
}

Deno.test("fine-tuning one stage trains stage256, the fc and the head, and leaves the rest alone", async () => {
  const backbone = buildBackbone();
  const head = buildHead({ inputSize: 128, classes: 2, seed: 1 });
  const parts = ["stem.", "stage32.", "stage64.", "stage128.", "stage256.", "descriptor.fc"];
  const before = parts.map((p) => snapshot(backbone, p));
  const headBefore = snapshot(head, "");
  const tensorsBefore = tf.memory().numTensors;
  const perEpoch: number[] = [];
  const result = await fineTune(backbone, head, {
    train: { chips: randomChips(6, 1), y: [0, 1, 0, 1, 0, 1] },
    val: { chips: randomChips(2, 2), y: [0, 1] },
    classes: 2,
  }, {
    stages: 1,
    epochs: 3,
    patience: 10,
    batchSize: 3,
    learningRate: 1e-3,
    augment: "light",
    onEpochEnd: () => perEpoch.push(tf.memory().numTensors),
  });
  assert.equal(result.epochsRun, 3);
  const after = parts.map((p) => snapshot(backbone, p));
  for (let i = 0; i < 4; i++) {
    assert.ok(changed(before[i], after[i]).every((c) => !c), `${parts[i]} stays frozen`);
  }
  assert.ok(changed(before[4], after[4]).some((c) => c), "stage256 is trained");
  assert.ok(changed(before[5], after[5]).every((c) => c), "the fc is trained");
  assert.ok(changed(headBefore, snapshot(head, "")).some((c) => c), "the head is trained");
  // tfjs' own History callback holds each epoch's 4 logged scalars until training ends; beyond
  // those, nothing may accumulate from one epoch to the next.
  assert.ok(perEpoch[2] - perEpoch[1] <= 4, `tensor count per epoch: ${perEpoch}`);
  assert.equal(tf.memory().numTensors, tensorsBefore, "nothing left behind");
  assert.ok(backbone.trainableWeights.length === 0, "frozen again afterwards");
  backbone.dispose();
  head.dispose();
});

Deno.test("a fine-tuned model saved and loaded again predicts the same within 1e-5", async () => {
  const backbone = buildBackbone();
  const head = buildHead({ inputSize: 128, classes: 2, seed: 2 });
  await fineTune(backbone, head, {
    train: { chips: randomChips(4, 5), y: [0, 1, 0, 1] },
    val: { chips: new Uint8Array(0), y: [] },
    classes: 2,
  }, { stages: 2, epochs: 1, batchSize: 4, augment: "light", learningRate: 1e-3 });
  const chips = tf.tensor4d(randomChips(3, 6), [3, 150, 150, 3], "int32").toFloat();
  const predict = async (b: tf.LayersModel, h: tf.LayersModel) => {
    const e = embed(b, chips as tf.Tensor4D);
    const rows = Array.from(
      { length: 3 },
      (_, i) => normalize((e.dataSync() as Float32Array).subarray(i * 128, (i + 1) * 128)),
    );
    e.dispose();
    const p = h.predict(tf.tensor2d(rows.flatMap((r) => Array.from(r)), [3, 128])) as tf.Tensor;
    const out = Array.from(await p.data());
    p.dispose();
    return out;
  };
  const before = await predict(backbone, head);
  const dir = `${await Deno.makeTempDir()}/model`;
  await saveModel(dir, {
    head,
    backbone,
    info: {
      format: MODEL_FORMAT,
      labels: ["a", "b"],
      backbone: "test+finetuned",
      chip: { size: 150, padding: 0.25, alignment: "test" },
      embedding: { size: 128, normalize: "l2" },
      threshold: { value: 0.5, rule: "test" },
      fineTune: { stages: 2, baseBackbone: "test" },
      createdAt: new Date(0).toISOString(),
      training: {},
    },
  });
  const loaded = await loadModel(dir);
  assert.ok(loaded.backbone, "the backbone comes back");
  const after = await predict(loaded.backbone!, loaded.head);
  const diff = Math.max(...before.map((v, i) => Math.abs(v - after[i])));
  assert.ok(diff <= 1e-5, `max difference ${diff}`);
  tf.dispose([chips]);
  [backbone, head, loaded.backbone!, loaded.head].forEach((m) => m.dispose());
});
