import assert from "node:assert/strict";
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { applySimilarity, type Point } from "./geometry.ts";
import { CHIP_SIZE, chipTransform, extractChips } from "./align.ts";

await tf.setBackend("cpu");

/** Landmarks of a face whose chip is known: the identity chip mapped by a chosen transform. */
function landmarksUnder(t: { a: number; b: number; tx: number; ty: number }): Point[] {
  const base = Array.from(
    { length: 68 },
    (_, i) => ({ x: 30 + (i % 10) * 9, y: 40 + Math.floor(i / 10) * 11 }),
  );
  return base.map((p) => applySimilarity(t, p));
}

Deno.test("chipTransform follows the face: rotating and scaling the landmarks rotates and scales the transform", () => {
  const base = landmarksUnder({ a: 1, b: 0, tx: 0, ty: 0 });
  const t0 = chipTransform(base);
  const angle = 0.5, s = 3;
  const moved = landmarksUnder({
    a: s * Math.cos(angle),
    b: s * Math.sin(angle),
    tx: 200,
    ty: 100,
  });
  const t1 = chipTransform(moved);
  assert.ok(Math.abs(Math.hypot(t1.a, t1.b) / Math.hypot(t0.a, t0.b) - s) < 1e-9);
  const rot = Math.atan2(t1.b, t1.a) - Math.atan2(t0.b, t0.a);
  assert.ok(Math.abs(rot - angle) < 1e-9);
  assert.throws(() => chipTransform(base.slice(0, 5)), RangeError);
});

Deno.test("extractChips samples the photo where the transform says, and leaks no tensors", () => {
  // A photo whose pixel value encodes its x coordinate in red and y in green.
  const w = 400, h = 300;
  const data = new Int32Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      data[(y * w + x) * 3] = x % 256;
      data[(y * w + x) * 3 + 1] = y % 256;
    }
  }
  const photo = tf.tensor3d(data, [h, w, 3], "int32");
  const before = tf.memory().numTensors;
  const t = { a: 0.5, b: 0, tx: 20, ty: 10 };
  const chips = extractChips(photo, [t, { a: 1, b: 0, tx: 100, ty: 50 }]);
  assert.deepEqual(chips.shape, [2, CHIP_SIZE, CHIP_SIZE, 3]);
  const values = chips.arraySync() as number[][][][];
  // Chip pixel (100, 60) of the first chip comes from photo (20 + 50, 10 + 30).
  assert.ok(Math.abs(values[0][60][100][0] - 70) < 1e-3, `red ${values[0][60][100][0]}`);
  assert.ok(Math.abs(values[0][60][100][1] - 40) < 1e-3, `green ${values[0][60][100][1]}`);
  assert.ok(Math.abs(values[1][20][10][0] - 110) < 1e-3);
  chips.dispose();
  assert.equal(tf.memory().numTensors, before);
  photo.dispose();
});

Deno.test("extractChips box-filters a face much larger than the chip", () => {
  // A fine checkerboard: sampled without filtering it would alias to pure 0/255 values.
  const w = 1200, h = 1200;
  const data = new Int32Array(w * h * 3);
  for (let i = 0; i < w * h; i++) data[i * 3] = ((i % w) + Math.floor(i / w)) % 2 ? 255 : 0;
  const photo = tf.tensor3d(data, [h, w, 3], "int32");
  const chip = extractChips(photo, [{ a: 6, b: 0, tx: 100, ty: 100 }]);
  const red = Array.from(chip.slice([0, 40, 40, 0], [1, 50, 50, 1]).dataSync());
  const mean = red.reduce((s, v) => s + v, 0) / red.length;
  assert.ok(Math.abs(mean - 127.5) < 5, `mean ${mean}`);
  assert.ok(Math.max(...red) < 200, "averaged, not aliased");
  tf.dispose([chip, photo]);
});
