import assert from "node:assert/strict";
import { cropRgb, downscaleBy } from "./resize.ts";

const image = {
  width: 3,
  height: 2,
  // Red channel 0..5 in reading order; green 10x that; blue constant.
  data: Uint8Array.from([0, 0, 9, 1, 10, 9, 2, 20, 9, 3, 30, 9, 4, 40, 9, 5, 50, 9]),
};

Deno.test("downscaleBy averages blocks, partial ones at the edges", () => {
  const half = downscaleBy(image, 2);
  assert.equal(half.width, 2);
  assert.equal(half.height, 1);
  // Block (0,0)-(1,1): reds 0,1,3,4 -> 2; greens 0,10,30,40 -> 20. Edge block: reds 2,5 -> 3.5 -> 4.
  assert.deepEqual(Array.from(half.data), [2, 20, 9, 4, 35, 9]);
  assert.equal(downscaleBy(image, 1), image);
  assert.throws(() => downscaleBy(image, 1.5), RangeError);
});

Deno.test("cropRgb copies the rectangle and clamps it to the image", () => {
  const c = cropRgb(image, { x: 1, y: 0, width: 2, height: 2 });
  assert.deepEqual([c.x, c.y, c.width, c.height], [1, 0, 2, 2]);
  assert.deepEqual(Array.from(c.data), [1, 10, 9, 2, 20, 9, 4, 40, 9, 5, 50, 9]);
  const clamped = cropRgb(image, { x: -5, y: 1.5, width: 100, height: 3 });
  assert.deepEqual([clamped.x, clamped.y, clamped.width, clamped.height], [0, 1, 3, 1]);
});
