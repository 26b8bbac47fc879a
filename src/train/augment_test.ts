import assert from "node:assert/strict";
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { initBackend } from "../backend/backend.ts";
import { seededRandom } from "../dataset/random.ts";
import { AUGMENT_LEVELS, augmentChips } from "./augment.ts";

await initBackend("wasm");

function gradientChips(n: number): tf.Tensor4D {
  return tf.tidy(() => {
    const ramp = tf.linspace(0, 255, 150).round().reshape([1, 1, 150, 1]).tile([n, 150, 1, 3]);
    return ramp as tf.Tensor4D;
  });
}

Deno.test("augmentChips keeps shapes and the 0..255 range, repeats per seed and leaks nothing", () => {
  const chips = gradientChips(4);
  const before = tf.memory().numTensors;
  for (const level of AUGMENT_LEVELS) {
    const a = augmentChips(chips, level, seededRandom(1));
    const b = augmentChips(chips, level, seededRandom(1));
    assert.deepEqual(a.shape, [4, 150, 150, 3]);
    assert.equal(a.dtype, "float32");
    const va = a.dataSync(), vb = b.dataSync();
    assert.ok(va.every((v) => v >= 0 && v <= 255), level);
    assert.deepEqual(va, vb, `${level} repeats for a seed`);
    if (level !== "none") {
      const c = augmentChips(chips, level, seededRandom(2));
      assert.notDeepEqual(c.dataSync(), va, `${level} differs across seeds`);
      c.dispose();
    }
    tf.dispose([a, b]);
  }
  assert.equal(tf.memory().numTensors, before);
  assert.throws(
    () => augmentChips(chips, "wild" as "none", seededRandom(1)),
    /choose one of none, light, strong/,
  );
  chips.dispose();
});

Deno.test("a flip mirrors the ramp, and strong changes more than light", () => {
  const chips = gradientChips(32);
  // On a flat grey chip only the photometric changes show.
  const grey = tf.fill([32, 150, 150, 3], 100) as tf.Tensor4D;
  const original = grey.dataSync();
  const meanChange = (level: "light" | "strong") => {
    const out = augmentChips(grey, level, seededRandom(3));
    const v = out.dataSync();
    out.dispose();
    let s = 0;
    for (let i = 0; i < v.length; i++) s += Math.abs(v[i] - original[i]);
    return s / v.length;
  };
  assert.ok(meanChange("strong") > meanChange("light"));
  // With flips drawn half the time, some chips get darker on the left-to-right ramp's right side.
  const out = augmentChips(chips, "light", seededRandom(5));
  const rows = out.slice([0, 75, 0, 0], [32, 1, 150, 1]).reshape([32, 150])
    .arraySync() as number[][];
  const flipped = rows.filter((row) => row[20] > row[130]).length;
  assert.ok(flipped > 6 && flipped < 26, `flipped ${flipped} of 32`);
  tf.dispose([out, chips, grey]);
});
