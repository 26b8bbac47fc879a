import assert from "node:assert/strict";
import { averageMirrored, MIRRORED_LANDMARK } from "./mirror.ts";

Deno.test("mirroring the landmarks twice gives them back, and swaps the eyes' and mouth's corners", () => {
  assert.equal(MIRRORED_LANDMARK.length, 68);
  MIRRORED_LANDMARK.forEach((j, k) => assert.equal(MIRRORED_LANDMARK[j], k, `landmark ${k}`));
  assert.equal(MIRRORED_LANDMARK[36], 45); // outer eye corners
  assert.equal(MIRRORED_LANDMARK[39], 42); // inner eye corners
  assert.equal(MIRRORED_LANDMARK[48], 54); // mouth corners
  assert.equal(MIRRORED_LANDMARK[8], 8); // chin
  assert.equal(MIRRORED_LANDMARK[0], 16); // jaw ends
});

Deno.test("the mirror reading is mapped back into the crop's place before averaging", () => {
  const points = Array.from({ length: 68 }, (_, k) => ({ x: 20 + k, y: 2 * k }));
  // The mirror image read everything 4 px further right (in its own pixels) than the crop did.
  const flipped = points
    .map((_, k) => points[MIRRORED_LANDMARK[k]])
    .map((p) => ({ x: 80 - (p.x - 50) / 2 + 4, y: (p.y - 30) / 2 }));
  // The crop is 80 view pixels wide, at (50, 30) in the image, 2 image pixels per view pixel.
  const mean = averageMirrored(points, flipped, 80, { x: 50, y: 30, scale: 2 });
  // Back in the image, the mirror's 4 px to the right are 8 px to the left: half of that in the mean.
  mean.forEach((p, k) => {
    assert.ok(Math.abs(p.x - (points[k].x - 4)) < 1e-9, `x of ${k}`);
    assert.ok(Math.abs(p.y - points[k].y) < 1e-9, `y of ${k}`);
  });
});
