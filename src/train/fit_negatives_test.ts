import assert from "node:assert/strict";
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { seededRandom } from "../dataset/random.ts";
import { buildHead } from "../head/head.ts";
import { normalize } from "../head/vectors.ts";
import { type Examples, fitClassifier, inverseFrequency, NEGATIVE } from "./fit.ts";

await tf.setBackend("cpu");

/** Unit vectors near axis `k` of 8-d space. */
function near(k: number, n: number, random: () => number, noise = 0.3): Float32Array[] {
  return Array.from(
    { length: n },
    () =>
      normalize(new Float32Array(8).map((_, d) => (d === k ? 1 : 0) + (random() - 0.5) * noise)),
  );
}

function people(n: number, seed: number): Examples {
  const random = seededRandom(seed);
  const x = [0, 1, 2].flatMap((k) => near(k, n, random));
  return { x, y: x.map((_, i) => Math.floor(i / n)) };
}

/** Mean top probability of the head on the rows. */
function meanTop(head: tf.LayersModel, rows: Float32Array[]): number {
  return tf.tidy(() => {
    const p = head.predict(tf.tensor2d(rows.map((r) => Array.from(r)))) as tf.Tensor;
    return p.max(1).mean().dataSync()[0];
  });
}

Deno.test("negatives from _unknown/ make the head unsure about strangers, not a class", async () => {
  const random = seededRandom(11);
  // Strangers live around axes 4 and 5, away from the three people.
  const strangers = [...near(4, 20, random), ...near(5, 20, random)];
  const unseen = [...near(4, 20, random), ...near(5, 20, random)];
  const run = async (negatives: Float32Array[]) => {
    const head = buildHead({ inputSize: 8, classes: 3, seed: 2 });
    await fitClassifier(head, { train: people(20, 1), val: people(8, 2), classes: 3, negatives }, {
      epochs: 60,
      batchSize: 16,
      learningRate: 0.05,
      patience: 60,
      seed: 3,
    });
    const top = meanTop(head, unseen);
    const val = people(8, 4);
    const right =
      tf.tidy(() =>
        (head.predict(tf.tensor2d(val.x.map((r) => Array.from(r)))) as tf.Tensor)
          .argMax(1).arraySync() as number[]
      ).filter((k, i) => k === val.y[i]).length;
    assert.equal(head.outputs[0].shape[1], 3, "strangers are never a class");
    head.dispose();
    return { top, accuracy: right / val.y.length };
  };
  const without = await run([]);
  const withNegatives = await run(strangers);
  assert.ok(withNegatives.accuracy >= 0.95, `accuracy ${withNegatives.accuracy}`);
  assert.ok(
    withNegatives.top < without.top - 0.1,
    `top probability on strangers ${withNegatives.top} vs ${without.top} without negatives`,
  );
  assert.ok(withNegatives.top < 0.6, `near 1/3 on strangers, got ${withNegatives.top}`);
});

Deno.test("inverseFrequency weighs the people only, not the strangers", () => {
  assert.deepEqual(inverseFrequency([0, 0, 1, NEGATIVE, NEGATIVE, NEGATIVE], 2), {
    0: 3 / 4,
    1: 3 / 2,
  });
});
