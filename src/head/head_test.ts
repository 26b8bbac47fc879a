import assert from "node:assert/strict";
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { join } from "node:path";
import { buildHead } from "./head.ts";
import { loadModel, saveModel } from "./model_io.ts";
import { testModelInfo } from "./test_fixtures.ts";
import { chooseThreshold } from "./threshold.ts";

await tf.setBackend("cpu");

const info = testModelInfo;

Deno.test("buildHead shapes and validation", () => {
  const linear = buildHead({ inputSize: 4, classes: 3 });
  assert.deepEqual(linear.outputs[0].shape, [null, 3]);
  assert.equal(linear.countParams(), 4 * 3 + 3);
  const hidden = buildHead({ inputSize: 4, classes: 3, hidden: 8 });
  assert.equal(hidden.countParams(), 4 * 8 + 8 + 8 * 3 + 3);
  assert.throws(() => buildHead({ inputSize: 4, classes: 1 }), /at least 2 people/);
  assert.throws(() => buildHead({ inputSize: 4, classes: 2, dropout: 1 }), RangeError);
  linear.dispose();
  hidden.dispose();
});

Deno.test("saveModel then loadModel gives the same predictions; a second save replaces the first", async () => {
  const dir = join(await Deno.makeTempDir(), "models", "m");
  const head = buildHead({ inputSize: 4, classes: 3, hidden: 5, seed: 9 });
  const x = tf.tensor2d([[0.1, 0.2, 0.3, 0.4], [1, 0, 0, 0]]);
  const expected = (head.predict(x) as tf.Tensor).arraySync() as number[][];
  await saveModel(dir, { head, info: info(["a", "b", "c"]), metrics: { valAccuracy: 1 } });
  const loaded = await loadModel(dir);
  const got = (loaded.head.predict(x) as tf.Tensor).arraySync() as number[][];
  got.flat().forEach((v, i) => assert.ok(Math.abs(v - expected.flat()[i]) < 1e-6));
  assert.deepEqual(loaded.info.labels, ["a", "b", "c"]);
  assert.deepEqual(loaded.metrics, { valAccuracy: 1 });
  // A plain tfjs program can load it too.
  const plain = await tf.loadLayersModel(tf.io.fromMemory(
    JSON.parse(await Deno.readTextFile(join(dir, "model.json"))).modelTopology,
  ));
  assert.deepEqual(plain.outputs[0].shape, [null, 3]);
  const other = buildHead({ inputSize: 4, classes: 2, seed: 1 });
  await saveModel(dir, { head: other, info: info(["x", "y"]) });
  assert.deepEqual((await loadModel(dir)).info.labels, ["x", "y"]);
  const leftovers = [...Deno.readDirSync(join(dir, ".."))].map((e) => e.name);
  assert.deepEqual(leftovers, ["m"], "no temporary folders left behind");
});

Deno.test("loadModel explains what is wrong with a damaged folder", async () => {
  const dir = join(await Deno.makeTempDir(), "m");
  await assert.rejects(
    () => loadModel(dir),
    /No facefit model at .*facefit.json" is missing; train one/,
  );
  const head = buildHead({ inputSize: 4, classes: 2 });
  await saveModel(dir, { head, info: info(["a", "b"]) });
  await Deno.writeFile(join(dir, "weights.bin"), new Uint8Array(10));
  await assert.rejects(() => loadModel(dir), /is damaged: weights.bin has 10 bytes/);
  await Deno.remove(join(dir, "weights.bin"));
  await assert.rejects(() => loadModel(dir), /is incomplete: cannot read "weights.bin"/);
  await Deno.writeTextFile(join(dir, "facefit.json"), "{ not json");
  await assert.rejects(() => loadModel(dir), /"facefit.json" is not valid JSON/);
  await Deno.writeTextFile(
    join(dir, "facefit.json"),
    JSON.stringify({ ...info(["a", "b"]), format: 99 }),
  );
  await assert.rejects(() => loadModel(dir), /has format 99/);
  await saveModel(dir, { head, info: info(["a", "b", "c"]) });
  await assert.rejects(() => loadModel(dir), /2 outputs but facefit.json lists 3 labels/);
});

Deno.test("chooseThreshold accepts the agreed share of correct faces, never below chance", () => {
  const probs = Array.from({ length: 100 }, (_, i) => 0.5 + i / 200); // 0.5 .. 0.995
  const t = chooseThreshold(probs, 4);
  assert.equal(t.value, 0.525);
  assert.equal(probs.filter((p) => p >= t.value).length, 95);
  assert.equal(chooseThreshold([0.1, 0.2], 2).value, 0.5, "chance floor");
  assert.equal(chooseThreshold([], 5).value, 0.2);
});
