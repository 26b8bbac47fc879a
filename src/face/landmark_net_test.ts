import assert from "node:assert/strict";
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import * as faceapi from "npm:@vladmandic/face-api@1.7.15/dist/face-api.node-wasm.js";
import { initBackend } from "../backend/backend.ts";
import type { Tensor3D } from "../backend/tf_types.ts";
import { LandmarkNet } from "./landmark_net.ts";
import { loadWeightMap } from "./weights.ts";

await initBackend("wasm");

/** Smooth random pictures (a network's output on them moves with every weight and pixel). */
function pictures(): Tensor3D[] {
  // Tall, wide, square, and exactly the input size: each takes another path through the padding.
  return [[112, 92], [80, 130], [64, 64], [112, 112], [97, 96]].map(([h, w], i) =>
    tf.tidy(() => {
      const noise = tf.randomUniform([Math.ceil(h / 8), Math.ceil(w / 8), 3], 0, 255, "float32", i);
      const smooth = tf.image.resizeBilinear(noise as tf.Tensor3D, [h, w]);
      return tf.cast(smooth, "int32") as Tensor3D;
    })
  );
}

Deno.test("the fused landmark network gives face-api's landmarks, frees what it makes", async () => {
  const reference = new faceapi.FaceLandmark68Net();
  // deno-lint-ignore no-explicit-any
  reference.loadFromWeightMap(await loadWeightMap("face_landmark_68_model") as any);
  const net = await LandmarkNet.load();
  const faces = pictures();
  const before = tf.memory().numTensors;
  const ours = await net.run(faces);
  assert.equal(tf.memory().numTensors, before, "no tensor left behind");
  // deno-lint-ignore no-explicit-any
  const input = await faceapi.toNetInput(faces as any);
  const out = reference.forwardInput(input);
  const theirs = await out.data();
  out.dispose();
  assert.equal(ours.length, theirs.length);
  assert.equal(ours.length, faces.length * 136);
  let worst = 0;
  ours.forEach((v, i) => worst = Math.max(worst, Math.abs(v - theirs[i])));
  // In units of each face's side: 1e-4 is a hundredth of a pixel on a 100-px face.
  assert.ok(worst < 1e-4, `largest difference ${worst}`);
  // The faces differ, so their landmarks do: a network ignoring its input would fail here.
  assert.ok(Math.abs(ours[0] - ours[136]) + Math.abs(ours[1] - ours[137]) > 1e-3);
  faces.forEach((f) => f.dispose());
  net.dispose();
  reference.dispose();
});

Deno.test("the landmark network takes no faces", async () => {
  const net = await LandmarkNet.load();
  assert.equal((await net.run([])).length, 0);
  net.dispose();
});
