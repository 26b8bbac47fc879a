import assert from "node:assert/strict";
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { initBackend } from "../backend/backend.ts";
import { seededRandom } from "../dataset/random.ts";
import { FaceDetector, rgbSource } from "./detect.ts";
import type { Point } from "./geometry.ts";
import { boxOfLandmarks, judgeTightCrop, MAX_TIGHT_DRIFT, MIN_TIGHT_SPREAD } from "./tight_crop.ts";

/** An ellipse of 68 points: enough for geometry, not a face for the networks. */
function ring(cx: number, cy: number, rx: number, ry: number): Point[] {
  return Array.from({ length: 68 }, (_, i) => ({
    x: cx + rx * Math.cos((2 * Math.PI * i) / 68),
    y: cy + ry * Math.sin((2 * Math.PI * i) / 68),
  }));
}

Deno.test("a tight crop needs landmarks that span the image and stay put when looked at again", () => {
  const face = ring(46, 60, 32, 38); // spans 76 of 112 px
  const extent = 76;
  const steady = face.map((p) => ({ x: p.x + 0.5 * MAX_TIGHT_DRIFT * extent, y: p.y }));
  const drifting = face.map((p) => ({ x: p.x + 2 * MAX_TIGHT_DRIFT * extent, y: p.y }));
  const crop = judgeTightCrop(face, steady, 92, 112);
  assert.ok(Math.abs(crop.spread - extent / 112) < 1e-9);
  assert.equal(crop.tight, true);
  assert.equal(judgeTightCrop(face, drifting, 92, 112).tight, false, "drifting landmarks");
  const wide = Math.ceil(extent / MIN_TIGHT_SPREAD) + 1;
  assert.equal(judgeTightCrop(face, steady, wide, wide).tight, false, "a small face in the image");
});

Deno.test("the box implied by landmarks is centred on them and reaches the forehead", () => {
  const box = boxOfLandmarks(ring(100, 100, 40, 40)); // landmarks from y 60 to 140
  assert.ok(Math.abs(box.x + box.width / 2 - 100) < 1e-9, "centred across");
  assert.ok(box.y < 60 - 0.2 * 80, `top ${box.y}: well above the brows`);
  assert.ok(
    Math.abs(box.y + box.height - 140) < 0.05 * 80,
    `bottom ${box.y + box.height}: the chin`,
  );
});

await initBackend("wasm");
const detector = await FaceDetector.load();

Deno.test("a small image with no face costs at most one detector pass, a photo of it up to 14", async () => {
  const random = seededRandom(7);
  const noise = (width: number, height: number) => ({
    width,
    height,
    data: Uint8Array.from({ length: width * height * 3 }, () => Math.floor(random() * 256)),
  });
  const before = detector.passes;
  const faces = await detector.locate(rgbSource(noise(92, 112)));
  assert.ok(detector.passes - before <= 1, `${detector.passes - before} passes`);
  assert.ok(faces.length <= 1);
  // The same picture as a photo (above wholeImageBelow) gets the full second look.
  const photoBefore = detector.passes;
  await detector.locate(rgbSource(noise(92, 112)), { wholeImageBelow: 0 });
  assert.ok(detector.passes - photoBefore > 1, "the second look's tiles");
});

Deno.test("detect on a small tensor frees what it made", async () => {
  const image = tf.fill([112, 92, 3], 90, "int32") as tf.Tensor3D;
  const before = tf.memory().numTensors;
  await detector.detect(image);
  assert.equal(tf.memory().numTensors, before);
  image.dispose();
});
